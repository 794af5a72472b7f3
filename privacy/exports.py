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
    _registry_sheets(workbook, export.persons)
    return workbook


PERSON_HEADER = ["底册编号", "姓名", "性别", "出生日期", "证件类型", "证件号码", "联系电话", "备用电话", "人员类型",
                 "状态", "标签", "备注", "居民区", "登记时间"]
PERSON_FIELDS = ("id", "name", "gender", "birth_date", "id_type", "id_number", "phone", "phone_alt", "residence",
                 "status", "tags", "notes", "neighbourhood", "created_at")


def _registry_sheets(workbook, persons: list[dict]) -> None:
    """社区底册: the persons, their households and capacities, linked cases, and the change records."""
    import json

    sheet = workbook.create_sheet("底册人员")
    append_row(sheet, PERSON_HEADER)
    homes = workbook.create_sheet("住户与身份")
    append_row(homes, ["底册编号", "类别", "地址/身份", "关系/范围", "起始", "截止"])
    changes = workbook.create_sheet("底册变更记录")
    append_row(changes, ["底册编号", "时间", "操作", "变更", "说明", "来源"])
    for person in persons:
        append_row(sheet, ["、".join(person[k]) if k == "tags" else person[k] for k in PERSON_FIELDS])
        for home in person["households"]:
            append_row(homes, [person["id"], "住户", home["address"], home["relation"], home["started_at"],
                               home["ended_at"]])
        for capacity in person["capacities"]:
            append_row(homes, [person["id"], "身份", capacity["kind"], capacity["unit"] or capacity["neighbourhood"],
                               capacity["started_at"], capacity["ended_at"]])
        for link in person["cases"]:
            append_row(homes, [person["id"], "关联工单", link["number"], link["decision"], link["decided_at"], None])
        for record in person["changes"]:
            append_row(changes, [person["id"], record["at"], record["action"],
                                 json.dumps(record["changes"], ensure_ascii=False), record["note"], record["source"]])
