"""Checks of the registry's identifiers with python-stdnum: 身份证 (GB 11643, check digit and birth date) and
统一社会信用代码 (GB 32100, check character). Each returns the normalised value or raises ValidationFailed in Chinese."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError

from core.errors import ValidationFailed
from core.text import has_illegal

from .models import IdType


def _compact(value: str) -> str:
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value or "")).upper()


def clean_id_number(id_type: str, value: str, *, field: str = "id_number") -> str:
    number = _compact(value)
    if not number:
        return ""
    if id_type not in IdType.values:
        raise ValidationFailed("证件类型不正确", details={"field": "id_type"})
    if id_type != IdType.ID_CARD:
        if not re.fullmatch(r"[0-9A-Z()]{5,32}", number):
            raise ValidationFailed("证件号码只能包含字母和数字(5–32位)", details={"field": field})
        return number
    try:
        return ric.validate(number)
    except InvalidLength:
        raise ValidationFailed("身份证号码应为18位", details={"field": field}) from None
    except InvalidChecksum:
        raise ValidationFailed("身份证号码校验位不正确,请核对最后一位", details={"field": field}) from None
    except InvalidComponent:
        raise ValidationFailed("身份证号码中的出生日期或地区码不正确", details={"field": field}) from None
    except ValidationError:
        raise ValidationFailed("身份证号码格式不正确", details={"field": field}) from None


def birth_date_from_id(number: str) -> date | None:
    try:
        return ric.get_birth_date(number) if number and len(number) == 18 else None
    except ValidationError:
        return None


def gender_from_id(number: str) -> str:
    """The 17th digit of an 18-digit 身份证: odd for men, even for women."""
    if number and len(number) == 18 and number[16].isdigit():
        return "male" if int(number[16]) % 2 else "female"
    return ""


def clean_credit_code(value: str, *, field: str = "credit_code") -> str:
    code = _compact(value)
    if not code:
        return ""
    try:
        return uscc.validate(code)
    except InvalidLength:
        raise ValidationFailed("统一社会信用代码应为18位", details={"field": field}) from None
    except InvalidChecksum:
        raise ValidationFailed("统一社会信用代码校验位不正确,请核对最后一位", details={"field": field}) from None
    except ValidationError:
        raise ValidationFailed("统一社会信用代码格式不正确", details={"field": field}) from None


def clean_text(value: str, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(f"请填写{label}", details={"field": field})
    if len(text) > max_length:
        raise ValidationFailed(f"{label}最多 {max_length} 个字", details={"field": field})
    if has_illegal(text):
        raise ValidationFailed(f"{label}包含无法保存的控制字符,请删除后重试", details={"field": field})
    return text
