"""A citizen's personal data (PIPL 查询、复制) as an Excel workbook: the cases, and what was done on them."""

from __future__ import annotations

from core.excel import append_row

from .services import CitizenExport

CASE_HEADER = ["工单编号", "受理时间", "来源", "类别", "标题", "诉求内容", "地址", "诉求人", "联系电话", "状态",
               "办结情况", "满意度", "结案时间"]
CASE_FIELDS = ("number", "registered_at", "source", "category", "title", "content", "address", "citizen_name",
               "citizen_phone", "state", "handling_result", "satisfaction", "closed_at")


def citizen_data_workbook(export: CitizenExport):
    """The export services.citizen_data_export collected (and audited), one sheet of cases, one of their events."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("工单")
    append_row(sheet, CASE_HEADER)
    events = workbook.create_sheet("处理过程")
    append_row(events, ["工单编号", "时间", "操作", "说明"])
    for case in export.cases:
        append_row(sheet, [case[k] for k in CASE_FIELDS])
        for event in case["events"]:
            append_row(events, [case["number"], event["at"], event["action"], event["note"]])
    return workbook
