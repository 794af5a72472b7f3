"""Characters XML 1.0 (so .xlsx) cannot hold: C0 controls except tab, LF and CR, U+FFFE, U+FFFF, lone surrogates.

One character class for the whole project: chengyun's middleware refuses them at every entry point (query string,
form fields, JSON body), the 12345 import cleans them out of each row, and the Excel helper (core/excel.py) strips
them from every cell so rows stored before the guard still export.
"""

from __future__ import annotations

import re

ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
INVALID_CHARACTERS = "输入包含无法保存的控制字符,请删除后重试"


def has_illegal(text: str) -> bool:
    return ILLEGAL.search(text) is not None


def strip_illegal(text: str) -> str:
    return ILLEGAL.sub("", text)


def clean_imported(text: str) -> str:
    """An imported cell: \\x0b (Excel's line break inside a cell) becomes a newline, the other characters go."""
    return strip_illegal(text.replace("\x0b", "\n"))
