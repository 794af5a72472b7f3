"""Reads of the audit log, for the auditor (审计员) only."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.errors import PermissionDenied
from org.models import User
from org.roles import AUDIT_ROLES

from .models import AuditEntry


@dataclass
class AuditFilters:
    q: str = ""
    action: str = ""
    username: str = ""
    date_from: date | None = None
    date_to: date | None = None


def audit_entries(user: User, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """The audit log as filtered, newest first; PermissionDenied for anyone but an auditor."""
    if not user.is_authenticated or user.role not in AUDIT_ROLES:
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
