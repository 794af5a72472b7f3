"""Reads of the audit log, for the auditor (审计员) only."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.db.models.functions import ExtractMinute, Floor, TruncHour
from django.utils import timezone

from core.errors import PermissionDenied

from .labels import codes_matching
from .models import AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# 三员分立 (MLPS 2.0): the administrator configures, the auditor reads the trail of everyone, the administrator's too.
# Which roles those are is the settings' AUDIT_READER_ROLES (role values): audit sits below org and imports none of it.


@dataclass
class AuditFilters:
    q: str = ""
    action: str = ""
    username: str = ""
    date_from: date | None = None
    date_to: date | None = None


def audit_entries(user: AbstractBaseUser, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """The audit log as filtered, newest first; PermissionDenied for anyone but an auditor."""
    if not user.is_authenticated or user.role not in settings.AUDIT_READER_ROLES:
        raise PermissionDenied("只有审计员可以查看审计日志")
    filters = filters or AuditFilters()
    qs = AuditEntry.objects.select_related("actor")
    if filters.q:
        q = filters.q.strip()
        text = Q(object_id__icontains=q) | Q(object_type__icontains=q) | Q(username__icontains=q)
        if codes := codes_matching(q):  # 工单, 审计日志…: the Chinese name of the object type
            text |= Q(object_type__in=codes)
        if _is_ip(q):
            text |= Q(ip=q)
        qs = qs.filter(text)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.username:
        qs = qs.filter(username=filters.username.strip())
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(at__gte=datetime.combine(filters.date_from, time.min, tz))
    if filters.date_to:
        qs = qs.filter(at__lte=datetime.combine(filters.date_to, time.max, tz))
    return qs.order_by("-at", "-id")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


# Repeated views of the same object by the same person within this many minutes are shown as one entry.
COLLAPSE_MINUTES = 10


def audit_groups(entries: QuerySet[AuditEntry]) -> QuerySet:
    """The filtered entries as the page and the export show them: one row per entry, except that the
    查看个人信息 entries of one person on one object in the same COLLAPSE_MINUTES slot of the clock
    (10:00–10:09, 10:10–10:19…) are one row with their count (`times`), first and last time.

    Collapsed when read, not when written: the log stays append-only (AuditEntry refuses updates) and every
    view keeps its own row, time and IP for whoever needs them (the export of a narrower search, the database);
    only the reading is grouped. Rows: dicts with `last_id` (the newest entry of the group), `times`,
    `first_at` and `last_at`, newest first."""
    is_view = Q(action=AuditEntry.Action.VIEW_PERSONAL_DATA)
    grouped = entries.order_by().annotate(
        # every other entry is its own group: its id is part of the key
        g_id=Case(When(is_view, then=Value(0)), default=F("id"), output_field=IntegerField()),
        g_hour=TruncHour("at"),
        g_slot=Case(When(is_view, then=Floor(ExtractMinute("at") / COLLAPSE_MINUTES)), default=Value(0),
                    output_field=IntegerField()),
    ).values("g_id", "g_hour", "g_slot", "action", "actor_id", "username", "object_type", "object_id")
    return grouped.annotate(times=Count("id"), first_at=Min("at"), last_at=Max("at"), last_id=Max("id")).order_by(
        "-last_at", "-last_id")


def audit_rows(groups) -> list[AuditEntry]:
    """The newest entry of each group (a page of `audit_groups`), with `times` and `first_at` set on it."""
    groups = list(groups)
    entries = AuditEntry.objects.select_related("actor").in_bulk([g["last_id"] for g in groups])
    rows = []
    for group in groups:
        entry = entries[group["last_id"]]
        entry.times, entry.first_at = group["times"], group["first_at"]
        rows.append(entry)
    return rows
