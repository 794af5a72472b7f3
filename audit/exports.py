"""The audit log as an Excel workbook (the view checks the size and audits the export itself)."""

from __future__ import annotations

import json
from itertools import islice

from django.utils import timezone

from core.excel import append_row

from .labels import object_type_label
from .selectors import audit_rows

HEADER = ["时间", "用户名", "操作", "对象类型", "对象", "IP", "详情", "次数", "首次时间"]
CHUNK = 2000


def _time(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def audit_log_workbook(groups):
    """The rows of audit.selectors.audit_groups (scoped, filtered, repeated views collapsed), in their order."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计日志")
    append_row(sheet, HEADER)
    iterator = groups.iterator(chunk_size=CHUNK)
    while chunk := list(islice(iterator, CHUNK)):
        for entry in audit_rows(chunk):
            append_row(sheet, [_time(entry.at), entry.username, entry.get_action_display(),
                               object_type_label(entry.object_type), entry.object_id, entry.ip or "",
                               json.dumps(entry.detail, ensure_ascii=False) if entry.detail else "",
                               entry.times, _time(entry.first_at)])
    return workbook
