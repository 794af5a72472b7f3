"""Reads of the audit log, for the auditor (审计员) only."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.errors import PermissionDenied

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
