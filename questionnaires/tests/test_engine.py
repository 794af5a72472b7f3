"""The server's form engine: every XLSForm feature checked on the server, never trusting what the browser sent."""

import datetime as dt

import pytest

from core.errors import ValidationFailed
from questionnaires.engine import validate
from questionnaires.xlsform import read_xlsform

from .xlsforms import BASIC_CHOICES, BASIC_SURVEY, xlsform_bytes

TODAY = dt.date(2026, 12, 4)


@pytest.fixture(scope="module")
def spec():
    return read_xlsform(xlsform_bytes(BASIC_SURVEY, BASIC_CHOICES)).spec


def good(**changes):
    data = {"size": 3, "elderly": "yes", "needlist": ["care", "other"], "other": "送餐", "area": "n", "sub": "x",
            "members": [{"mname": "李四", "birthday": "1950-03-01"}], "location": "31.22 121.44",
            "photo": "photo-1.jpg", "income": "3500.5"}
    data.update(changes)
    return data


def test_a_good_submission_is_typed_and_its_calculation_recomputed(spec):
    checked = validate(spec, good(double=999), today=TODAY)
    assert checked.errors == {}
    data = checked.cleaned_data
    assert data["size"] == 3 and data["income"] == 3500.5 and data["double"] == 6  # never the browser's 999
    assert data["needlist"] == ["care", "other"] and data["members"] == [{"mname": "李四", "birthday": "1950-03-01"}]
    assert data["location"] == "31.22 121.44" and data["photo"] == "photo-1.jpg"


def test_required_with_the_default_message(spec):
    errors = validate(spec, good(size=None, elderly=""), today=TODAY).errors
    assert errors["size"] == "此题必答" and errors["elderly"] == "此题必答"


def test_constraint_with_its_message(spec):
    assert validate(spec, good(size=25), today=TODAY).errors == {"size": "人口须在1到19之间"}


def test_types_are_checked(spec):
    errors = validate(spec, good(size="3.5", income="很多", location="北京", members=[{"birthday": "1950-02-30"}]),
                      today=TODAY).errors
    assert errors == {"size": "请填写整数", "income": "请填写数字", "location": errors["location"],
                      "members[0].birthday": "日期格式应为 年-月-日"}
    assert "纬度" in errors["location"]
    assert validate(spec, good(location="91 10"), today=TODAY).errors.keys() == {"location"}


def test_non_relevant_answers_are_dropped(spec):
    checked = validate(spec, good(elderly="no"), today=TODAY)
    assert checked.errors == {}
    assert "needlist" not in checked.cleaned_data and "other" not in checked.cleaned_data
    # a relevant question that depends on a dropped one is dropped too
    checked = validate(spec, good(needlist=["care"]), today=TODAY)
    assert "other" not in checked.cleaned_data


def test_select_values_must_be_choices_that_pass_the_filter(spec):
    assert validate(spec, good(elderly="maybe"), today=TODAY).errors == {"elderly": "选项“maybe”不在可选范围内"}
    assert validate(spec, good(needlist=["care", "food"]), today=TODAY).errors == {
        "needlist": "选项“food”不在可选范围内"}
    # sub y belongs to area s: filtered out when area is n
    assert validate(spec, good(sub="y"), today=TODAY).errors == {"sub": "选项“y”不在可选范围内"}
    assert validate(spec, good(area="s", sub="y"), today=TODAY).errors == {}
    assert validate(spec, good(needlist="care other"), today=TODAY).cleaned_data["needlist"] == ["care", "other"]


def form(survey, choices=None):
    return read_xlsform(xlsform_bytes(survey, choices)).spec


def test_a_group_s_relevance_applies_to_its_children():
    spec = form([["select_one yn", "has", "有无"], ["begin_group", "g", "组", "", "", "${has} = 'yes'"],
                 ["integer", "n", "数量", "", "yes"], ["end_group"]], [["yn", "yes", "是"], ["yn", "no", "否"]])
    assert validate(spec, {"has": "no", "n": 5}, today=TODAY).cleaned_data == {"has": "no"}
    assert validate(spec, {"has": "yes"}, today=TODAY).errors == {"n": "此题必答"}


def test_repeats_siblings_count_and_sum():
    spec = form([["begin_repeat", "m", "成员"], ["integer", "age", "年龄", "", "yes"],
                 ["text", "care", "照护", "", "", "${age} >= 60"],
                 ["calculate", "older", "", "", "", "", "", "", "${age} + 1"], ["end_repeat"],
                 ["calculate", "n", "", "", "", "", "", "", "count(${m})"],
                 ["calculate", "total", "", "", "", "", "", "", "sum(${age})"],
                 ["integer", "check", "人数", "", "", "", ". = count(${m})", "须与成员数一致"]])
    data = {"m": [{"age": 70, "care": "需要"}, {"age": "8", "care": "不该留下"}], "check": 2}
    checked = validate(spec, data, today=TODAY)
    assert checked.errors == {}
    assert checked.cleaned_data == {"m": [{"age": 70, "care": "需要", "older": 71}, {"age": 8, "older": 9}],
                                    "n": 2, "total": 78, "check": 2}
    errors = validate(spec, {"m": [{"age": 70}, {}], "check": 3}, today=TODAY).errors
    assert errors == {"m[1].age": "此题必答", "check": "须与成员数一致"}
    assert validate(spec, {"m": "x"}, today=TODAY).errors == {"m": "重复组的答案格式不对"}


def test_dates_time_today_and_required_expression():
    spec = form([["date", "d", "日期", "", "yes", "", ". <= today()", "不能晚于今天"], ["time", "t", "时间"],
                 ["select_one yn", "moved", "搬迁"], ["text", "why", "原因", "", "${moved} = 'yes'"]],
                [["yn", "yes", "是"], ["yn", "no", "否"]])
    assert spec["questions"][3]["required_expr"] == "${moved} = 'yes'"
    assert validate(spec, {"d": "2026-12-05"}, today=TODAY).errors == {"d": "不能晚于今天"}
    assert validate(spec, {"d": "2026-12-04", "t": "25:00"}, today=TODAY).errors == {"t": "时间格式应为 时:分"}
    assert validate(spec, {"d": "2026-12-04", "moved": "yes"}, today=TODAY).errors == {"why": "此题必答"}
    assert validate(spec, {"d": "2026-12-04", "moved": "no"}, today=TODAY).errors == {}


@pytest.mark.parametrize("survey,words", [
    ([["integer", "q", "Q", "", "", "", ". > "]], "constraint"),
    ([["integer", "q", "Q", "", "", "wibble(1)"]], "不支持的函数 wibble()"),
    ([["integer", "q", "Q"], ["calculate", "c", "", "", "", "", "", "", "${q} +* 2"]], "calculation"),
    ([["integer", "q", "Q", "", "", "q > 1"]], "无法识别的名称"),
])
def test_a_broken_expression_is_refused_at_load_time_with_its_row(survey, words):
    with pytest.raises(ValidationFailed) as caught:
        read_xlsform(xlsform_bytes(survey))
    assert caught.value.details["sheet"] == "survey" and caught.value.details["row"] == len(survey) + 1
    assert words in caught.value.message
