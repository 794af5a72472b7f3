"""Labelled text corpora from CSV files for evaluate_classifier: UTF-8 with or without BOM, or GB18030."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from core.errors import ValidationFailed

# A hotline text can be long; the csv module's default field limit (128 KiB) is for a cell, keep it generous.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def decode(raw: bytes) -> str:
    """UTF-8 (a BOM is dropped) first, GB18030 (a superset of GBK/GB2312, what Excel saves in China) second."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("文件编码无法识别:请保存为 UTF-8 或 GB18030(GBK)编码的 CSV / "
                               "cannot decode the file: save it as UTF-8 or GB18030 CSV") from exc


def read_labelled_csv(path: str | Path, *, text_col: str = "text", label_col: str = "label") -> tuple[list[str], list[str]]:
    """Texts and labels of a CSV with a header row; rows with an empty text or label are skipped."""
    path = Path(path)
    if not path.is_file():
        raise ValidationFailed(f"文件不存在 / file not found: {path}")
    text = decode(path.read_bytes())
    if not text.strip():
        raise ValidationFailed(f"文件为空 / the file is empty: {path}")
    header = text.lstrip().splitlines()[0]
    # Tab-separated when the header has tabs and no commas (an Excel "Unicode text" export), else CSV.
    dialect = csv.excel_tab if "\t" in header and "," not in header else csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    columns = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    missing = [c for c in (text_col, label_col) if c not in columns]
    if missing:
        raise ValidationFailed(
            f"{path.name} 中没有列 {'、'.join(missing)}(现有列:{'、'.join(columns) or '无'});请用 --text-col/--label-col 指定 / "
            f"column(s) {', '.join(missing)} not in {path.name} (columns: {', '.join(columns) or 'none'})",
            details={"missing": missing, "columns": columns})
    texts, labels = [], []
    for row in reader:
        body, label = (row.get(text_col) or "").strip(), (row.get(label_col) or "").strip()
        if body and label:
            texts.append(body)
            labels.append(label)
    if not texts:
        raise ValidationFailed(f"{path.name} 没有同时含文本和标签的数据行 / no rows with both a text and a label in {path.name}")
    return texts, labels
