import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.errors import PermissionDenied, ValidationFailed
from org.models import Role
from org.tests.factories import UserFactory
from questionnaires.models import FormVersion, Questionnaire
from questionnaires.services import questionnaire_load
from questionnaires.xlsform import read_xlsform

from .xlsforms import BASIC_CHOICES, BASIC_SURVEY, xlsform_bytes


def test_spec_keeps_the_features_people_use():
    loaded = read_xlsform(xlsform_bytes(BASIC_SURVEY, BASIC_CHOICES))
    assert loaded.form_id == "hh" and loaded.title == "户情" and loaded.version_label == "1"
    group, repeat = loaded.spec["questions"][0], loaded.spec["questions"][1]
    assert group["type"] == "group" and group["label"] == "基本情况"
    size, elderly, needlist, other, double, area, sub = group["children"]
    assert (size["type"], size["required"], size["constraint"], size["constraint_message"], size["row"]) == (
        "integer", True, ". > 0 and . < 20", "人口须在1到19之间", 3)
    assert [c["label"] for c in elderly["choices"]] == ["是", "否"]
    assert needlist["type"] == "select_multiple" and needlist["relevant"] == "${elderly} = 'yes'"
    assert other["relevant"] == "selected(${needlist}, 'other')"
    assert double["calculation"] == "${size} * 2"
    assert sub["choice_filter"] == "area=${area}" and sub["choices"][0]["area"] == "n"
    assert repeat["type"] == "repeat" and [c["name"] for c in repeat["children"]] == ["mname", "birthday"]
    assert [q["type"] for q in loaded.spec["questions"][2:]] == ["geopoint", "image", "decimal"]
    assert loaded.question_count == 11  # calculate excluded
    assert "<h:html" in loaded.xform


@pytest.mark.parametrize("survey,choices,sheet,row,words", [
    ([["wibble", "q", "Q"]], None, "survey", 2, "不支持的题型"),
    ([["integer", "q", "Q"], ["begin_group", "g", "G"], ["text", "q", "Q2"], ["end_group"]], None, "survey", 4, "重复"),
    ([["integer", "q", "Q", "", "", "${nope} = 1"]], None, "survey", 2, "nope"),
    ([["begin_group", "g", "G"], ["text", "q", "Q"]], None, "survey", 2, "end_group"),
    ([["", "q", "Q"]], None, "survey", 2, "type 列为空"),
])
def test_a_form_it_cannot_take_names_sheet_row_and_reason(survey, choices, sheet, row, words):
    with pytest.raises(ValidationFailed) as caught:
        read_xlsform(xlsform_bytes(survey, choices))
    assert caught.value.details["sheet"] == sheet and caught.value.details["row"] == row
    assert words in caught.value.message and caught.value.message.startswith("XLSForm 无法使用")


def test_not_a_workbook_is_refused():
    with pytest.raises(ValidationFailed, match="不是可读取的"):
        read_xlsform(b"not a zip", filename="x.xlsx")
    with pytest.raises(ValidationFailed, match=".xlsx"):
        read_xlsform(b"abc", filename="x.csv")


@pytest.mark.django_db
def test_loading_versions_and_same_file_again():
    admin = UserFactory(role=Role.ADMIN)
    first, created = questionnaire_load(actor=admin, content=xlsform_bytes(BASIC_SURVEY, BASIC_CHOICES), filename="a.xlsx")
    assert created and first.number == 1
    again, created = questionnaire_load(actor=admin, content=xlsform_bytes(BASIC_SURVEY, BASIC_CHOICES), filename="a.xlsx")
    assert not created and again.pk == first.pk
    second, created = questionnaire_load(actor=admin, content=xlsform_bytes(BASIC_SURVEY[:3] + [["end_group"]],
                                                                             BASIC_CHOICES, version="2"),
                                         filename="a.xlsx")
    assert created and second.number == 2 and second.questionnaire_id == first.questionnaire_id
    first.refresh_from_db()
    assert first.question_count == 11 and second.question_count == 2
    with pytest.raises(PermissionDenied):
        questionnaire_load(actor=UserFactory(role=Role.CADRE), content=b"x", filename="a.xlsx")


@pytest.mark.django_db
def test_load_xlsform_command(tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_bytes(xlsform_bytes(BASIC_SURVEY, BASIC_CHOICES, form_id="minsheng", title="民生需求"))
    out = StringIO()
    call_command("load_xlsform", str(path), "--title", "民生需求调查", stdout=out)
    last = json.loads(out.getvalue().strip().splitlines()[-1])
    assert last["form"] == "minsheng" and last["version"] == 1 and last["questions"] == 11
    assert last["url"].endswith("/minsheng/fill/") or "minsheng" in last["url"]
    assert Questionnaire.objects.get(slug="minsheng").title == "民生需求调查"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsform_bytes([["wibble", "q", "Q"]]))
    with pytest.raises(CommandError, match="survey 表第 2 行"):
        call_command("load_xlsform", str(bad), stdout=StringIO())
    assert FormVersion.objects.count() == 1
