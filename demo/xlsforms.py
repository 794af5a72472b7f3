"""The demo's two questionnaires as real XLSForm workbooks (survey, choices, settings; `label::Chinese (zh)`):
户情基础信息 (household_basics) and 民生需求调查 (livelihood_needs). The .xlsx files are committed under
demo/data/xlsform/ and loaded by the visits demo (demo/minqing_visits.py) through questionnaire_load, as an
administrator would with `manage.py load_xlsform FILE`.

`python -m demo.xlsforms` writes them again from the rows below (openpyxl only, no Django needed). The answers the
demo makes up (demo/minqing_visits.py) follow these rows: change a name, a choice or a rule here and there together.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import openpyxl

from core.excel import append_row

LANG = "Chinese (zh)"
FOLDER = Path(__file__).resolve().parent / "data" / "xlsform"
SURVEY_HEADER = ["type", "name", f"label::{LANG}", f"hint::{LANG}", "required", f"required_message::{LANG}",
                 "relevant", "constraint", f"constraint_message::{LANG}", "calculation", "choice_filter",
                 "appearance"]
# (name, label): what the questions and the demo's answers share.
HOUSING = [("owned", "自有产权房"), ("public_rent", "公房租赁"), ("private_rent", "私房租住"),
           ("lodging", "借住/寄住"), ("other", "其他")]
AGE_BANDS = [("under18", "18岁以下"), ("18_59", "18-59岁"), ("60_79", "60-79岁"), ("80plus", "80岁及以上")]
RELATIONS = [("head", "户主"), ("spouse", "配偶"), ("child", "子女"), ("parent", "父母"), ("grandchild", "孙子女"),
             ("tenant", "租客"), ("other", "其他")]
CONDITIONS = [("disabled", "残疾"), ("chronic", "慢性病"), ("unemployed", "失业"), ("subsistence", "低保"),
              ("veteran", "优抚对象")]
SATISFACTION = [("5", "非常满意"), ("4", "满意"), ("3", "一般"), ("2", "不满意"), ("1", "非常不满意")]
# The choice names of the need categories, their labels exactly minqing's NeedCategory names (the migration's list),
# and the sub-choices offered for each (choice_filter on the `category` column).
NEED_CATEGORIES = [
    ("elderly_care", "养老服务", [("home_care", "居家养老服务"), ("day_care", "日间照料"), ("emergency_call", "紧急呼叫装置")]),
    ("elevator", "加装电梯", [("consult", "意见征询"), ("progress", "施工进度"), ("subsidy", "补贴政策")]),
    ("parking", "停车难", [("car_spaces", "机动车位不足"), ("ebike", "非机动车停放充电"), ("outside_cars", "外来车辆占位")]),
    ("sanitation", "环境卫生", [("clutter", "楼道堆物"), ("greenbelt", "绿化带杂物"), ("water", "路面积水")]),
    ("repairs", "房屋修缮", [("leak", "漏水渗水"), ("wall", "外墙脱落"), ("roof", "屋顶维修")]),
    ("noise", "噪音扰民", [("shops", "商铺噪音"), ("renovation", "装修噪音"), ("dance", "广场舞音响")]),
    ("meals", "助餐", [("delivery", "送餐上门"), ("menu", "老年套餐"), ("new_point", "新设助餐点")]),
    ("jobs", "就业帮扶", [("posts", "就业岗位"), ("training", "技能培训")]),
    ("culture", "文体活动", [("activities", "文体活动"), ("room_hours", "活动室开放时间")]),
    ("health", "医疗健康", [("home_doctor", "家庭医生上门"), ("medicine", "配药品种"), ("escort", "陪诊服务")]),
    ("safety", "安全隐患", [("charging", "飞线充电"), ("fire", "消防设施"), ("structure", "围墙房屋隐患")]),
    ("lighting", "楼道照明", [("lamps", "楼道灯损坏"), ("sensor_lamps", "声控灯失灵")]),
    ("waste", "垃圾分类", [("drop_time", "定时投放"), ("sorting", "分类督导"), ("collection", "清运不及时")]),
    ("greening", "绿化养护", [("pruning", "树木修剪"), ("lawn", "草坪养护")]),
    ("neighbours", "邻里纠纷", [("mediation", "调解矛盾")]),
    ("other", "其他", [("other_detail", "其他问题")]),
]
YES_NO = [("yes", "是"), ("no", "否")]
_EPOCH = datetime(2026, 1, 1)  # the workbooks' metadata dates, fixed


def _row(kind: str, name: str, label: str = "", **columns: str) -> list[str]:
    values = {"type": kind, "name": name, f"label::{LANG}": label,
              **{_column(k): v for k, v in columns.items()}}
    return [values.get(column, "") for column in SURVEY_HEADER]


def _column(key: str) -> str:
    return {"hint": f"hint::{LANG}", "required_message": f"required_message::{LANG}",
            "constraint_message": f"constraint_message::{LANG}"}.get(key, key)


HOUSEHOLD_SURVEY = [
    _row("start", "start"), _row("end", "end"), _row("today", "today"),
    _row("begin_group", "basic", "基本情况"),
    _row("integer", "hh_size", "家庭常住人口(人)", hint="含长期居住的租客,不含外出一年以上的成员", required="yes",
         constraint=". >= 1 and . <= 15", constraint_message="常住人口须在 1 到 15 人之间"),
    _row("select_one housing", "housing_type", "住房类型", required="yes", required_message="请选择住房类型"),
    _row("select_multiple age_band", "age_bands", "家庭成员年龄段(可多选)", required="yes"),
    _row("select_one yes_no", "lives_alone", "是否独居", required="yes", relevant="${hh_size} = 1"),
    _row("select_one yes_no", "solitary_elderly", "是否孤老(无子女或子女不在身边)", required="yes",
         relevant="${lives_alone} = 'yes' and (selected(${age_bands}, '60_79') or selected(${age_bands}, '80plus'))"),
    _row("integer", "elderly_count", "60岁及以上人数", required="yes",
         relevant="selected(${age_bands}, '60_79') or selected(${age_bands}, '80plus')",
         constraint=". >= 1 and . <= ${hh_size}", constraint_message="老人人数须在 1 到家庭常住人口之间"),
    _row("end_group", ""),
    _row("begin_repeat", "members", "家庭成员", hint="每位常住成员一项,不填姓名和证件"),
    _row("select_one relation", "m_relation", "与户主关系", required="yes"),
    _row("select_one age_band", "m_age_band", "年龄段", required="yes"),
    _row("select_multiple condition", "m_conditions", "特殊情况(可多选,可不选)"),
    _row("end_repeat", ""),
    _row("calculate", "member_count", "", calculation="count(${members})"),
    _row("note", "members_note", "登记的成员少于常住人口,请补全", relevant="${member_count} < ${hh_size}"),
    _row("begin_group", "place", "位置与照片"),
    _row("geopoint", "location", "门口定位", hint="在门口点“定位”"),
    _row("image", "door_photo", "门牌照片(可选)"),
    _row("end_group", ""),
    _row("text", "remarks", "走访备注", hint="不写姓名、电话、证件号", appearance="multiline"),
]
HOUSEHOLD_CHOICES = (
    [("housing", n, label) for n, label in HOUSING] + [("age_band", n, label) for n, label in AGE_BANDS]
    + [("yes_no", n, label) for n, label in YES_NO] + [("relation", n, label) for n, label in RELATIONS]
    + [("condition", n, label) for n, label in CONDITIONS]
)

LIVELIHOOD_SURVEY = [
    _row("start", "start"), _row("end", "end"), _row("today", "today"),
    _row("begin_group", "ratings", "满意度"),
    _row("select_one satisfaction", "sat_overall", "对社区服务的总体满意度", required="yes", appearance="likert"),
    _row("select_one satisfaction", "sat_environment", "环境卫生", required="yes", appearance="likert"),
    _row("select_one satisfaction", "sat_property", "物业服务", required="yes", appearance="likert"),
    _row("select_one satisfaction", "sat_safety", "治安状况", required="yes", appearance="likert"),
    _row("text", "dissatisfied_reason", "不满意的主要原因", required="yes",
         relevant="${sat_overall} = '1' or ${sat_overall} = '2'"),
    _row("end_group", ""),
    _row("calculate", "sat_average", "",
         calculation="round((number(${sat_overall}) + number(${sat_environment}) + number(${sat_property})"
                     " + number(${sat_safety})) div 4, 1)"),
    _row("begin_group", "needs", "民生需求"),
    _row("select_multiple need_category", "need_categories", "您家最希望解决的问题(可多选)", required="yes",
         required_message="请至少选择一项,没有请选“其他”"),
    _row("select_one need_category", "top_need", "其中最迫切的一项", required="yes",
         choice_filter="selected(${need_categories}, name)"),
    _row("select_one need_detail", "need_detail", "具体是哪方面", required="yes", choice_filter="category = ${top_need}"),
    _row("text", "need_text", "具体情况", hint="选“其他”时必填;不写姓名、电话",
         required="${top_need} = 'other'", required_message="选择“其他”时请写明具体情况", appearance="multiline"),
    _row("end_group", ""),
    _row("integer", "years_lived", "在本小区居住年数", constraint=". >= 0 and . <= 100",
         constraint_message="居住年数须在 0 到 100 之间"),
    _row("select_one yes_no", "join_council", "是否愿意参加居民议事会", required="yes"),
    _row("text", "suggestion", "其他意见和建议", appearance="multiline"),
]
LIVELIHOOD_CHOICES = (
    [("satisfaction", n, label, "") for n, label in SATISFACTION]
    + [("need_category", n, label, "") for n, label, _ in NEED_CATEGORIES]
    + [("need_detail", sub, sub_label, n) for n, _, subs in NEED_CATEGORIES for sub, sub_label in subs]
    + [("yes_no", n, label, "") for n, label in YES_NO]
)
FORMS = {
    "household_basics.xlsx": dict(survey=HOUSEHOLD_SURVEY, choices=HOUSEHOLD_CHOICES, title="户情基础信息",
                                  form_id="household_basics", version="2026.1"),
    "livelihood_needs.xlsx": dict(survey=LIVELIHOOD_SURVEY, choices=LIVELIHOOD_CHOICES, title="民生需求调查",
                                  form_id="livelihood_needs", version="2026.1"),
}


def workbook_bytes(*, survey: list[list[str]], choices: list[tuple], title: str, form_id: str, version: str) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    append_row(sheet, SURVEY_HEADER)
    for row in survey:
        append_row(sheet, row)
    sheet = workbook.create_sheet("choices")
    append_row(sheet, ["list_name", "name", f"label::{LANG}", "category"])
    for row in choices:
        append_row(sheet, list(row) + [""] * (4 - len(row)))
    sheet = workbook.create_sheet("settings")
    append_row(sheet, ["form_title", "form_id", "version", "default_language"])
    append_row(sheet, [title, form_id, version, LANG])
    for sheet in workbook.worksheets:  # fixed metadata, so the same rows give the same bytes
        sheet.column_dimensions["A"].width = 24
    workbook.properties.creator = "chengyun demo"
    workbook.properties.created = workbook.properties.modified = _EPOCH
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_all(folder: Path = FOLDER) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, form in FORMS.items():
        path = folder / filename
        path.write_bytes(workbook_bytes(**form))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path)
