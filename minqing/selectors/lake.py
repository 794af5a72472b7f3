"""Reads of the data lake: the uploads and the records, for the centre (policy.LAKE_ROLES) only; record texts and
addresses masked for the masked roles (管理员), clear for the 派单员 (audited by the pages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from core.errors import NotFound
from org.models import User
from registry.policy import RegistryMasker

from .. import policy
from ..models import LakeImport, LakeRecord, LakeSource


@dataclass
class LakeFilters:
    source: int | None = None
    match: str = ""
    neighbourhood: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    refused: str = ""


def _allowed(user: User) -> bool:
    return user.is_authenticated and user.role in policy.LAKE_ROLES


def lake_sources(user: User) -> QuerySet[LakeSource]:
    return LakeSource.objects.all() if _allowed(user) else LakeSource.objects.none()


def lake_imports(user: User) -> QuerySet[LakeImport]:
    if not _allowed(user):
        return LakeImport.objects.none()
    return LakeImport.objects.select_related("source", "created_by").defer("content")


def get_lake_import(user: User, pk: int) -> LakeImport:
    found = lake_imports(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("导入批次不存在")
    return found


def lake_records(user: User, filters: LakeFilters | None = None) -> QuerySet[LakeRecord]:
    f = filters or LakeFilters()
    if not _allowed(user):
        return LakeRecord.objects.none()
    qs = LakeRecord.objects.select_related("source", "household", "unit", "neighbourhood")
    if f.source:
        qs = qs.filter(source_id=f.source)
    if f.match:
        qs = qs.filter(match=f.match)
    if f.neighbourhood:
        qs = qs.filter(neighbourhood_id=f.neighbourhood)
    if f.date_from:
        qs = qs.filter(occurred_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(occurred_on__lte=f.date_to)
    term = (f.q or "").strip()
    if term:
        if policy.sees_clear(user):
            qs = qs.filter(Q(text__contains=term) | Q(address__contains=term) | Q(category_text__contains=term))
        else:
            qs = qs.filter(category_text__contains=term)
            f.refused = "记录内容可能含个人信息,您的角色只能按原系统分类查找"
    return qs.order_by("-occurred_on", "-id")


def lake_row(record: LakeRecord, *, masker: RegistryMasker) -> dict[str, Any]:
    return {
        "id": record.pk, "source": record.source.name, "external_id": record.external_id,
        "occurred_on": record.occurred_on, "address": masker.address(record.address), "text": masker.text(record.text),
        "category_text": record.category_text, "match": record.get_match_display(), "match_code": record.match,
        "household_id": record.household_id, "unit_id": record.unit_id,
        "neighbourhood": record.neighbourhood.name if record.neighbourhood_id else "",
    }
