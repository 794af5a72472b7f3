"""Excel downloads: every cell goes through safe_cell, every row through append_row, every file through xlsx_response.

A text starting with =, +, -, @, tab or CR would be read by Excel as a formula (OWASP "CSV injection"): it gets a
leading apostrophe and is stored as a text cell. Characters XML cannot hold (core/text.py) are stripped, so
rows stored before the input guard still export. Numbers, dates and booleans stay typed.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.http import HttpResponse

from core.text import strip_illegal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TYPED = (bool, int, float, Decimal, datetime, date, time, timedelta)


def safe_cell(value):
    """The value as a cell may hold it: None and typed values unchanged, anything else a neutralised text."""
    if value is None or isinstance(value, TYPED):
        return value
    text = strip_illegal(str(value))
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return text


def append_row(sheet, values) -> None:
    """The one way a row is written to a worksheet (a test fails if a module appends to a sheet itself)."""
    sheet.append([safe_cell(v) for v in values])


def xlsx_response(workbook, filename: str) -> HttpResponse:
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    workbook.save(response)
    return response
