"""Workbooks for the tests: an XLSForm built in memory from rows."""

from __future__ import annotations

import io

import openpyxl

LANG = "Chinese (zh)"


def xlsform_bytes(survey: list[list], choices: list[list] | None = None, *, form_id: str = "hh", title: str = "户情",
                  version: str = "1", survey_header: list[str] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    sheet.append(survey_header or ["type", "name", f"label::{LANG}", f"hint::{LANG}", "required", "relevant",
                                   "constraint", f"constraint_message::{LANG}", "calculation", "choice_filter",
                                   "appearance", "default"])
    for row in survey:
        sheet.append(row)
    if choices:
        sheet = workbook.create_sheet("choices")
        sheet.append(["list_name", "name", f"label::{LANG}", "area"])
        for row in choices:
            sheet.append(row)
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([title, form_id, version, LANG])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


BASIC_SURVEY = [
    ["begin_group", "basic", "基本情况"],
    ["integer", "size", "家庭人口", "", "yes", "", ". > 0 and . < 20", "人口须在1到19之间"],
    ["select_one yn", "elderly", "有无老人", "", "yes"],
    ["select_multiple needs", "needlist", "需求", "", "", "${elderly} = 'yes'"],
    ["text", "other", "其他需求", "", "", "selected(${needlist}, 'other')"],
    ["calculate", "double", "", "", "", "", "", "", "${size} * 2"],
    ["select_one area", "area", "区域"],
    ["select_one sub", "sub", "小区", "", "", "", "", "", "", "area=${area}"],
    ["end_group"],
    ["begin_repeat", "members", "成员"],
    ["text", "mname", "姓名"],
    ["date", "birthday", "生日"],
    ["end_repeat"],
    ["geopoint", "location", "位置"],
    ["image", "photo", "照片"],
    ["decimal", "income", "月收入"],
]
BASIC_CHOICES = [
    ["yn", "yes", "是"], ["yn", "no", "否"], ["needs", "care", "养老"], ["needs", "other", "其他"],
    ["area", "n", "北片"], ["area", "s", "南片"], ["sub", "x", "甲小区", "n"], ["sub", "y", "乙小区", "s"],
]
