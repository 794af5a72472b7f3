"""The audit log as an Excel workbook (the view checks the size and audits the export itself)."""

from __future__ import annotations

import json

from django.db.models import QuerySet
from django.utils import timezone

from core.excel import append_row

from .models import AuditEntry

HEADER = ["时间", "用户名", "操作", "对象类型", "对象", "IP", "详情"]


def audit_log_workbook(entries: QuerySet[AuditEntry]):
    """The entries (already scoped and filtered by audit.selectors.audit_entries), one row each, in their order."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计日志")
    append_row(sheet, HEADER)
    for entry in entries.iterator(chunk_size=2000):
        append_row(sheet, [timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"), entry.username,
                           entry.get_action_display(), entry.object_type, entry.object_id, entry.ip or "",
                           json.dumps(entry.detail, ensure_ascii=False) if entry.detail else ""])
    return workbook
