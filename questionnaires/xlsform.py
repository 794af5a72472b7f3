"""Reading an XLSForm: pyxform parses and checks it (and writes the ODK XForm); this module turns pyxform's tree into
the `spec` both evaluators read — the phone page's (static/js/xlsform.js) and the server's (questionnaires/engine.py).

The spec, one dict per question, in form order:
    {"type": "text|integer|decimal|date|time|datetime|select_one|select_multiple|geopoint|image|note|calculate|
              group|repeat|start|end|today|deviceid|username",
     "name", "label", "hint", "required": bool, "required_message", "relevant", "constraint",
     "constraint_message", "calculation", "choice_filter", "default", "readonly": bool, "appearance",
     "required_expr": the required column when it is an expression rather than yes/no,
     "list_name", "choices": [{"name", "label", <other columns of the choices sheet>}],   (selects)
     "children": [...],  (groups and repeats)
     "row": the survey sheet's row}
Expressions stay as written in the XLSForm (`${name}`, `.`), not as XPath paths; every relevant, constraint,
calculation, choice_filter and required expression is parsed at load time by questionnaires/expressions.py (the
language both evaluators speak) and a form with one that does not parse, names an unknown function or a question
that does not exist is refused with its sheet and row. Labels are the form's default
language (`label::Chinese (zh)` or whichever language column the settings sheet names), falling back to any label.

A form this product cannot take is refused with a ValidationFailed naming the sheet, the row and the reason, in
Chinese, before anything is stored.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

import openpyxl
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from core.errors import ValidationFailed

from .expressions import ExpressionError
from .expressions import check as check_expression

INPUT_TYPES = {
    "text": "text", "integer": "integer", "decimal": "decimal", "date": "date", "time": "time",
    "datetime": "datetime", "select one": "select_one", "select all that apply": "select_multiple",
    "geopoint": "geopoint", "photo": "image", "image": "image", "note": "note", "calculate": "calculate",
    "start": "start", "end": "end", "today": "today", "deviceid": "deviceid", "username": "username",
}
CONTAINER_TYPES = {"group": "group", "repeat": "repeat"}
# What the survey sheet's `type` column may say (before pyxform's aliases): checked first, so a type the engine does
# not render is refused with its row rather than stored and left unanswerable.
SHEET_TYPES = {
    "text", "integer", "int", "decimal", "date", "time", "datetime", "select_one", "select one", "select_multiple",
    "select multiple", "select all that apply", "geopoint", "image", "photo", "note", "calculate", "start", "end",
    "today", "deviceid", "username", "begin_group", "begin group", "end_group", "end group", "begin_repeat",
    "begin repeat", "end_repeat", "end repeat",
}
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class LoadedForm:
    form_id: str
    title: str
    version_label: str
    spec: dict[str, Any]
    xform: str
    sha256: str
    question_count: int


def _refuse(message: str, *, sheet: str = "", row: int | None = None) -> ValidationFailed:
    where = "".join([f"{sheet} 表" if sheet else "", f"第 {row} 行" if row else ""])
    return ValidationFailed(f"XLSForm 无法使用:{where + ':' if where else ''}{message}",
                            details={"sheet": sheet, "row": row, "reason": message})


def _sheet_rows(workbook, name: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    if name not in workbook.sheetnames:
        return [], []
    rows = list(workbook[name].iter_rows(values_only=True))
    if not rows:
        return [], []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    body = []
    for number, row in enumerate(rows[1:], start=2):
        values = {header[i]: ("" if v is None else str(v).strip()) for i, v in enumerate(row) if i < len(header)}
        if any(values.values()):
            body.append((number, values))
    return header, body


def _precheck(content: bytes) -> dict[str, int]:
    """Our own checks, with rows, before pyxform: supported types and names unique in the whole form (answers are
    kept by name, groups flattened). Returns {name: row} for the spec."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise _refuse(f"不是可读取的 .xlsx 文件({type(exc).__name__})") from exc
    header, body = _sheet_rows(workbook, "survey")
    if not header:
        raise _refuse("缺少 survey 表(题目表)", sheet="survey")
    for column in ("type", "name"):
        if column not in header:
            raise _refuse(f"缺少必需的列 {column}", sheet="survey", row=1)
    rows: dict[str, int] = {}
    for number, values in body:
        kind = " ".join(values.get("type", "").split())
        base = kind.split(" ")[0] if kind.startswith(("select_one", "select_multiple")) else kind
        if kind.startswith(("select one ", "select multiple ")):
            base = " ".join(kind.split(" ")[:2])
        if not kind:
            raise _refuse("type 列为空", sheet="survey", row=number)
        if base not in SHEET_TYPES:
            raise _refuse(f"不支持的题型“{kind}”(支持:文本、整数、小数、日期、时间、单选、多选、定位、照片、说明、"
                          "计算、分组、重复组)", sheet="survey", row=number)
        name = values.get("name", "")
        if not name or base in {"end_group", "end group", "end_repeat", "end repeat"}:
            continue
        if name in rows:
            raise _refuse(f"题目名称“{name}”与第 {rows[name]} 行重复:本系统要求整张表内名称唯一", sheet="survey",
                          row=number)
        rows[name] = number
    workbook.close()
    return rows


def _pick_label(value: Any, language: str) -> str:
    if isinstance(value, dict):
        if language and language in value:
            return str(value[language])
        for key in ("Chinese (zh)", "Chinese", "zh", "default"):
            if key in value:
                return str(value[key])
        return str(next(iter(value.values()), ""))
    return "" if value is None else str(value)


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"yes", "true", "true()", "1", "y"}


def _required_expr(value: Any) -> str:
    text = str(value or "").strip()
    if _truthy(text) or text.lower() in {"", "no", "false", "false()", "0", "n"}:
        return ""
    return text


EXPRESSION_COLUMNS = (("relevant", "relevant"), ("constraint", "constraint"), ("calculation", "calculation"),
                      ("choice_filter", "choice_filter"), ("required_expr", "required"))


def _check_expressions(nodes: list[dict[str, Any]], names: set[str]) -> None:
    """Every expression parsed now, so a form is refused at upload rather than failing on a phone."""
    for node in nodes:
        for key, column in EXPRESSION_COLUMNS:
            text = node.get(key) or ""
            if not text:
                continue
            try:
                check_expression(text, names=names, columns_allowed=key == "choice_filter")
            except ExpressionError as exc:
                raise _refuse(f"题目“{node['name']}”的 {column} 表达式“{text}”无法使用:{exc}", sheet="survey",
                              row=node.get("row")) from exc
        _check_expressions(node.get("children") or [], names)


def _names(nodes: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for node in nodes:
        found.add(node["name"])
        found |= _names(node.get("children") or [])
    return found


def _node(element: dict[str, Any], language: str, rows: dict[str, int]) -> dict[str, Any] | None:
    kind = element.get("type", "")
    name = element.get("name", "")
    if name == "meta" and kind == "group":
        return None  # instanceID and friends: the engine makes its own
    bind = element.get("bind", {}) or {}
    node: dict[str, Any] = {
        "type": CONTAINER_TYPES.get(kind) or INPUT_TYPES.get(kind, kind),
        "name": name,
        "label": _pick_label(element.get("label"), language),
        "hint": _pick_label(element.get("hint"), language),
        "required": _truthy(bind.get("required", "")),
        "required_expr": _required_expr(bind.get("required", "")),
        "required_message": _pick_label(bind.get("jr:requiredMsg"), language),
        "relevant": bind.get("relevant", "") or "",
        "constraint": bind.get("constraint", "") or "",
        "constraint_message": _pick_label(bind.get("jr:constraintMsg"), language),
        "calculation": bind.get("calculate", "") or "",
        "choice_filter": element.get("choice_filter", "") or "",
        "default": "" if element.get("default") is None else str(element.get("default")),
        "readonly": _truthy(bind.get("readonly", "")),
        "appearance": (element.get("control", {}) or {}).get("appearance", "") or "",
        "row": rows.get(name),
    }
    if node["type"] in {"select_one", "select_multiple"}:
        node["list_name"] = element.get("list_name") or element.get("itemset", "")
        node["choices"] = [
            {**{k: v for k, v in choice.items() if k not in {"label", "media"}},
             "name": str(choice.get("name", "")), "label": _pick_label(choice.get("label"), language)}
            for choice in element.get("choices", []) or []
        ]
    if node["type"] in {"group", "repeat"}:
        node["children"] = [child for child in (_node(c, language, rows) for c in element.get("children", []))
                            if child is not None]
    return node


def _count(nodes: list[dict[str, Any]]) -> int:
    total = 0
    for node in nodes:
        if node["type"] in {"group", "repeat"}:
            total += _count(node["children"])
        elif node["type"] not in {"note", "calculate", "start", "end", "today", "deviceid", "username"}:
            total += 1
    return total


def read_xlsform(content: bytes, *, filename: str = "form.xlsx", title: str = "") -> LoadedForm:
    """Check and read an XLSForm workbook; ValidationFailed (sheet, row, reason) for one this product cannot take."""
    if not content:
        raise _refuse("文件为空")
    if len(content) > MAX_BYTES:
        raise _refuse("文件超过 5MB")
    if not filename.lower().endswith(".xlsx"):
        raise _refuse("请上传 .xlsx 格式的 XLSForm")
    rows = _precheck(content)
    try:
        result = convert(xlsform=content, file_type=".xlsx", pretty_print=False)
    except PyXFormError as exc:
        text = str(exc)
        row = None
        if text.startswith("[row : "):
            try:
                row = int(text[7:text.index("]")])
                text = text[text.index("]") + 1:].strip()
            except ValueError:
                row = None
        sheet = "choices" if "choices" in text and row is None else ("survey" if row else "")
        raise _refuse(text, sheet=sheet, row=row) from exc
    except Exception as exc:  # pyxform raises plain errors for some malformed sheets
        raise _refuse(f"无法解析({type(exc).__name__}: {exc})") from exc
    tree = result._pyxform
    language = tree.get("default_language", "") or ""
    questions = [n for n in (_node(c, language, rows) for c in tree.get("children", [])) if n is not None]
    _check_expressions(questions, _names(questions))
    spec = {
        "form_id": tree.get("id_string", ""),
        "title": title or _pick_label(tree.get("title"), language) or tree.get("id_string", ""),
        "version": str(tree.get("version", "") or ""),
        "language": language,
        "questions": questions,
    }
    return LoadedForm(
        form_id=spec["form_id"], title=spec["title"], version_label=spec["version"], spec=spec, xform=result.xform,
        sha256=hashlib.sha256(content).hexdigest(), question_count=_count(questions),
    )
