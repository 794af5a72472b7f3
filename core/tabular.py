"""Streaming readers for spreadsheets people upload (12345 exports, the registry's data books): .xlsx (openpyxl
read-only) and .csv (UTF-8 with or without BOM, or GB18030).

Rows come one at a time as (spreadsheet row number, {header: text}), so a 200,000-row file never sits in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from core.errors import ValidationFailed

csv.field_size_limit(10 * 1024 * 1024)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # hotline numbers and phones stored as numbers by Excel
    return str(value).strip()


def detect_encoding(path: Path) -> str:
    with open(path, "rb") as handle:
        sample = handle.read(256 * 1024)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        decoder.decode(sample, final=False)  # a multi-byte character cut at the end is not an error
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "gb18030"


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell(v) for v in values]
    finally:
        workbook.close()


def _csv_rows(path: Path) -> Iterator[list[str]]:
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding=detect_encoding(path), newline="", errors="replace")
        for values in csv.reader(text):
            yield [v.strip() for v in values]


def raw_rows(path: Path) -> Iterator[list[str]]:
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        return _xlsx_rows(path)
    if suffix in (".csv", ".txt"):
        return _csv_rows(path)
    raise ValidationFailed("只支持 .xlsx 和 .csv 文件", details={"field": "file"})


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and an iterator of (row number in the sheet, {header: value}); blank rows are skipped."""
    rows = raw_rows(path)
    try:
        header = next(rows)
    except StopIteration:
        raise ValidationFailed("文件为空", details={"field": "file"}) from None
    header = [h.strip() for h in header]
    if not any(header):
        raise ValidationFailed("第一行须为表头", details={"field": "file"})

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        for number, values in enumerate(rows, start=2):
            if any(values):
                yield number, dict(zip(header, values, strict=False))

    return header, records()


def count_rows(path: Path) -> int:
    """Data rows, for the progress bar (cheap: lines for CSV, the sheet's dimension for Excel)."""
    if Path(path).suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        try:
            sheet = workbook.worksheets[0]
            if not sheet.max_row or sheet.max_row <= 1:
                # Workbooks written in write-only mode (ours, and many exporters) record no dimension: count them.
                sheet.reset_dimensions()
                return max(sum(1 for _ in sheet.iter_rows(values_only=True)) - 1, 0)
            return max(sheet.max_row - 1, 0)
        finally:
            workbook.close()
    lines = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
    return max(lines - 1, 0)
