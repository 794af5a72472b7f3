"""The KPI table (one row per group) as an Excel workbook."""

from __future__ import annotations

from core.excel import append_row

from .definitions import KPIS, Kpi


def kpi_table_workbook(rows: list[dict]):
    """The rows of selectors.kpi_table (already read for the acting user): the group, its cases and every KPI."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("考核指标")
    append_row(sheet, ["分组", "工单数", *[k.name for k in KPIS]])
    for row in rows:
        append_row(sheet, [row["label"], row["cases"], *[_cell(row[k.code]["value"], k) for k in KPIS]])
    return workbook


def _cell(value, kpi: Kpi):
    if value is None:
        return ""
    if kpi.unit == "rate":
        return f"{value * 100:.1f}%"
    return value
