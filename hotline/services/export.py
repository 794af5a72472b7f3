"""Workbooks the hotline pages hand out: the 12345 replies export and an import's rejected rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time

from django.utils import timezone

from cases.models import Case, Source
from cases.policy import CaseMasker
from core.errors import ValidationFailed
from core.excel import append_row
from org.models import User

from ..models import ImportJob


def rejections_workbook(job: ImportJob, *, actor: User | None = None):
    """Each rejected row as the file gave it, in the file's columns, after its row number and the reason: fixed in
    place, the sheet can be imported again (rows already imported are skipped by their hotline number). For an
    `actor` without the right to personal data (the 管理员 imports too) the 诉求人, phone, address and content
    columns are masked, as on the preview."""
    from openpyxl import Workbook

    from cases import policy

    maskers = {}
    if actor is not None and actor.role not in policy.PERSONAL_DATA_ROLES:
        columns_of = job.profile.columns
        maskers = {columns_of.get("citizen_name"): policy.mask_name, columns_of.get("citizen_phone"): policy.mask_phone,
                   columns_of.get("address"): policy.mask_address, columns_of.get("content"): policy.mask_public_text}
        maskers.pop(None, None)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("未导入的行")
    rejections = list(job.rejections.all())
    columns = _file_header(job)
    for rejection in rejections:  # a header missing from the file (moved away): the rows' own keys, in order
        columns += [key for key in rejection.data if key not in columns]
    append_row(sheet, ["行号", "原因", *columns])
    for rejection in rejections:
        data = rejection.data or {"工单编号": rejection.hotline_number}
        values = [maskers[column](data.get(column, "")) if column in maskers else data.get(column, "")
                  for column in columns]
        append_row(sheet, [rejection.row_number, rejection.reason, *values])
    return workbook


def _file_header(job: ImportJob) -> list[str]:
    from pathlib import Path

    from core.tabular import read_rows

    try:
        header, rows = read_rows(Path(job.file.path))
    except Exception:  # the upload was removed: fall back on the rows' keys
        return []
    close = getattr(rows, "close", None)
    if close is not None:
        close()
    return [column for column in header if column]


EXPORT_HEADER = ["工单编号", "平台工单号", "处置单位", "受理时间", "派单时间", "办结时间", "办结回复", "回访时间",
                 "满意度", "是否解决", "是否先行联系", "状态"]


def export_rows(*, start: date, end: date, actor: User | None = None) -> Iterator[list]:
    """The replies the hotline expects back: cases of source 12345 handled (办结) in [start, end]. The handling result
    is written as `actor` may read it (masked for the 管理员; None: as the hotline receives it)."""
    tz = timezone.get_current_timezone()
    cases = (Case.objects.filter(source=Source.HOTLINE, handled_at__gte=datetime.combine(start, time.min, tz),
                                 handled_at__lte=datetime.combine(end, time.max, tz))
             .select_related("lead_department").order_by("handled_at"))

    def fmt(moment):
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

    def yes_no(value):
        return "" if value is None else ("是" if value else "否")

    for case in cases.iterator():
        yield [case.hotline_number, case.number, case.lead_department.name if case.lead_department_id else "",
               fmt(case.registered_at), fmt(case.dispatched_at), fmt(case.handled_at),
               CaseMasker(actor, case)(case.handling_result) if actor is not None else case.handling_result,
               fmt(case.called_back_at), case.get_satisfaction_display() if case.satisfaction else "",
               yes_no(case.solved), yes_no(case.first_contact_confirmed), case.get_state_display()]


def export_workbook(*, start: date, end: date, actor: User | None = None):
    from openpyxl import Workbook

    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("12345回复")
    append_row(sheet, EXPORT_HEADER)
    for row in export_rows(start=start, end=end, actor=actor):
        append_row(sheet, row)
    return workbook
