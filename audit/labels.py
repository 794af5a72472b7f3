"""Chinese names of what an audit entry is about: THE one mapping from `AuditEntry.object_type` codes to labels,
used by the audit page and its Excel export.

Codes written by the pages and services are listed here; the admin's 配置变更 entries name a model
(`obj._meta.model_name`), whose own verbose_name is the label. An unknown code is shown as it is."""

from __future__ import annotations

from django.apps import apps

OBJECT_TYPE_LABELS: dict[str, str] = {
    "case": "工单",
    "case_list": "工单列表",
    "case_events": "工单时间线",
    "case_related": "相关工单",
    "callback_queue": "回访队列",
    "workbench_queue": "工作台队列",
    "workbench_recent": "工作台最近工单",
    "address_check": "地址核验",
    "citizen": "诉求人个人信息",
    "api_token": "接口令牌",
    "audit_log": "审计日志",
    "hotline_export": "12345导出",
    "hotline_rejections": "12345导入未通过行",
    "kpi_table": "考核指标表",
    "report": "情况分析报告",
    "report_file": "情况分析报告文件",
    "retention": "个人信息保存期限",
    "otp_device": "两步验证设备",
    "url": "页面",
    "user": "用户",
}
# The detail's keys as the page shows them.
DETAIL_LABELS: dict[str, str] = {
    "cases": "工单", "change": "变更", "fields": "字段", "repr": "对象", "filters": "筛选条件", "rows": "行数",
    "start": "起", "end": "止", "group_by": "分组", "reason": "原因", "bulk": "批量", "parent": "所属",
    "created": "新增", "changed": "修改", "deleted": "删除", "path": "地址", "method": "方法", "year": "年份",
}
CHANGE_LABELS = {"create": "新增", "update": "修改", "delete": "删除", "inline": "明细修改"}


def _model_labels() -> dict[str, str]:
    return {model._meta.model_name: str(model._meta.verbose_name) for model in apps.get_models()}


def object_type_label(code: str) -> str:
    if not code:
        return ""
    return OBJECT_TYPE_LABELS.get(code) or _model_labels().get(code) or code


def codes_matching(text: str) -> list[str]:
    """The object_type codes whose Chinese label contains `text` (the search box takes either)."""
    labels = {**_model_labels(), **OBJECT_TYPE_LABELS}
    return [code for code, label in labels.items() if text and text in label]


def detail_items(detail: dict) -> list[tuple[str, str]]:
    items = []
    for key, value in (detail or {}).items():
        if key == "change":
            value = CHANGE_LABELS.get(value, value)
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = ";".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, bool):
            value = "是" if value else "否"
        items.append((DETAIL_LABELS.get(key, key), str(value)))
    return items
