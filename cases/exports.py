"""The case list as an Excel workbook, personal data as the acting user may see it, row by row."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from core.excel import append_row
from org.models import User

from . import policy, selectors
from .models import Case

HEADER = ["工单编号", "热线工单号", "来源", "标题", "类别", "地址", "居民区", "主办单位", "状态", "受理时间", "办结期限",
          "超时", "诉求人", "联系电话", "满意度"]


def case_list_workbook(user: User, cases: QuerySet[Case]):
    """The cases (already scoped and filtered by selectors.case_list for `user`), one row each.

    Returns the workbook and whether any row carries personal data unmasked (the export's audit entry says so)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("工单")
    append_row(sheet, HEADER)
    unmasked_cases = policy.personal_data_cases(user)
    unmasked_ids = None if unmasked_cases is None or not unmasked_cases else set(
        cases.filter(unmasked_cases).values_list("pk", flat=True))
    any_unmasked = False
    for case in cases.iterator(chunk_size=2000):
        # Per row: a handler's department sees personal data only on cases of its active assignments.
        unmasked = unmasked_cases is not None and (unmasked_ids is None or case.pk in unmasked_ids)
        any_unmasked |= unmasked
        person = selectors.masked_personal_data(case) if not unmasked else None
        append_row(sheet, [
            case.number, case.hotline_number, case.get_source_display(),
            case.title if unmasked else person.title, str(case.category or ""),
            case.address if unmasked else person.address, str(case.neighbourhood or ""), str(case.lead_department or ""),
            case.get_state_display(), timezone.localtime(case.registered_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(case.handle_deadline).strftime("%Y-%m-%d %H:%M") if case.handle_deadline else "",
            "是" if case.is_overdue else "", case.citizen_name if unmasked else person.citizen_name,
            case.citizen_phone if unmasked else person.citizen_phone, case.get_satisfaction_display() if case.satisfaction else "",
        ])
    return workbook, any_unmasked
