"""Reading a 12345 export: the import profiles (which column holds which field), the header check and RowParser."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from typing import Any

from django.utils import timezone

from cases.models import Source
from cases.services import validate_phone
from core import clock
from core.errors import ValidationFailed
from core.text import clean_imported
from org.models import Category

from ..models import FIELDS, REQUIRED_FIELDS, ImportProfile

DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d",
                "%Y%m%d%H%M%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日")


DEFAULT_PROFILE_NAME = "12345标准格式"


def default_profile() -> ImportProfile:
    """The shipped layout; recreated if it was deleted, so an import never lacks a profile."""
    profile = ImportProfile.objects.filter(is_default=True).first()
    if profile is None:
        columns = {field: header for field, header in FIELDS.items() if field != "title"}
        profile, _ = ImportProfile.objects.get_or_create(name=DEFAULT_PROFILE_NAME,
                                                         defaults={"columns": columns, "is_default": True})
    return profile


def check_header(profile: ImportProfile, header: list[str]) -> None:
    missing = [FIELDS.get(f, f) + f"(列「{profile.columns.get(f, '')}」)" for f in REQUIRED_FIELDS
               if profile.columns.get(f) not in header]
    if missing:
        raise ValidationFailed(f"文件缺少必需的列:{'、'.join(missing)};文件中的列为:{'、'.join(h for h in header if h)}",
                               details={"field": "file"})


class RowParser:
    """One export row → the fields of case_register, or ValidationFailed with the reason in Chinese.

    Touches the database only in __init__ (the categories), so parse() can run in the import's reading thread."""

    def __init__(self, profile: ImportProfile):
        self.columns = profile.columns
        self.tz = timezone.get_current_timezone()  # once: the lookup goes through asgiref's Local
        self.categories: dict[str, Category] = {}
        for category in Category.objects.filter(parent__isnull=False).select_related("parent"):
            for key in (category.name, f"{category.parent.name}/{category.name}", f"{category.parent.name}-{category.name}",
                        f"{category.parent.name}>{category.name}", category.code):
                self.categories.setdefault(key, category)
        self._category_texts: dict[str, Category | None] = {}

    def value(self, raw: dict[str, str], field: str) -> str:
        header = self.columns.get(field)
        # Control characters are cleaned, not refused: \x0b (a line break inside an Excel cell) becomes "\n".
        return clean_imported(raw.get(header) or "").strip() if header else ""

    def parse(self, raw: dict[str, str], *, now: datetime | None = None) -> dict[str, Any]:
        number = self.value(raw, "hotline_number")
        if not number:
            raise ValidationFailed("缺少工单编号")
        if len(number) > 40:
            raise ValidationFailed("工单编号超过40个字符")
        content = self.value(raw, "content")
        if not content:
            raise ValidationFailed("缺少诉求内容")
        if len(content) > 5000:
            raise ValidationFailed("诉求内容超过5000字")
        called_at = parse_datetime_text(self.value(raw, "called_at"), "来电时间", self.tz)
        due_text = self.value(raw, "due_at")
        due_at = parse_datetime_text(due_text, "要求办结时间", self.tz)
        if due_at is not None and len(due_text) <= 11:  # a date alone: by the end of that day
            due_at = due_at.replace(hour=23, minute=59, second=59)
        kind = self.value(raw, "kind")
        title = self.value(raw, "title") or (f"【{kind}】" if kind else "") + "".join(content.split())[:28]
        fields: dict[str, Any] = {
            "source": Source.HOTLINE, "hotline_number": number, "content": content, "title": title[:120],
            "citizen_name": self.value(raw, "citizen_name")[:50], "citizen_phone": self.value(raw, "citizen_phone"),
            "address": self.value(raw, "address")[:200], "category": self._category(self.value(raw, "category")),
        }
        if due_at is not None:
            fields["hotline_due_at"] = due_at
        try:
            validate_phone(fields["citizen_phone"])
        except ValidationFailed:
            # Imported flagged, not refused: the complaint stands, the number is kept as given for a person to check.
            fields["citizen_phone_unverified"] = True
        if called_at:
            fields["registered_at"] = min(called_at, now or clock.now())
        return fields

    def _category(self, text: str) -> Category | None:
        # An unknown 诉求分类 is not an error: the dispatcher classifies the case.
        if not text:
            return None
        try:
            return self._category_texts[text]
        except KeyError:
            pass
        compact = "".join(text.split())
        category = self.categories.get(compact) or self.categories.get(re.split(r"[/>\-]", compact)[-1])
        if len(self._category_texts) < 10_000:  # an export has a few hundred distinct texts; stay bounded anyway
            self._category_texts[text] = category
        return category


def parse_datetime_text(text: str, label: str, tz: tzinfo | None = None) -> datetime | None:
    if not text:
        return None
    tz = tz or timezone.get_current_timezone()
    if len(text) >= 16 and text[4] == "-" and text[10] == " ":  # the common 2026-10-01 09:00[:00], without strptime
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)  # what make_aware does, minus its checks
    for pattern in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return timezone.make_aware(parsed, tz)
    raise ValidationFailed(f"{label}格式无法识别:{text}")
