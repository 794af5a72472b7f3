"""Importing persons: idempotent by natural key, updates through the services (ChangeRecords, source import),
bad rows rejected with a reason, encodings, households created or joined, a cadre's out-of-area rows."""

from datetime import date

import pytest
from openpyxl import Workbook

from org.tests.factories import AddressRangeFactory, EstateFactory
from registry.models import ChangeRecord, Household, Membership, Person, RegistryImportRejection

from .importhelp import PERSON_HEADER, run, write_csv


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rows(valid_id):
    return [
        ["张建国", "男", "1950-03-08", valid_id("31010619500308123"), "13812341234", "上海市静安区愚园路128弄3号501室",
         "户籍", "户主", "独居老人、高龄", "女儿电话13987654321"],
        ["李秀英", "女", "1952/5/1", "", "13900001111", "愚园路128衖3号501室", "户籍", "配偶", "", ""],
        ["王小明", "", "", "", "13600002222", "愚园路130弄1号", "流动", "", "", ""],
    ]


def test_import_creates_persons_and_households_with_history(street, tmp_path, rows):
    result = run(write_csv(tmp_path / "p.csv", PERSON_HEADER, rows), user=street.dispatcher)
    assert (result["created"], result["updated"], result["rejected"], result["candidates"]) == (3, 0, 0, 0)
    zhang = Person.objects.get(name="张建国")
    assert zhang.birth_date == date(1950, 3, 8) and zhang.gender == "male" and zhang.neighbourhood == street.neighbourhood
    assert sorted(zhang.tags.values_list("name", flat=True)) == ["独居老人", "高龄"]
    # 衖, the prefix and the room: one household, both members in it.
    home = Household.objects.get(address_key="愚园路128弄3号501室")
    assert set(Membership.objects.filter(household=home).values_list("person__name", "relation")) == {
        ("张建国", "head"), ("李秀英", "spouse")}
    records = ChangeRecord.objects.filter(entity="person", object_id=zhang.pk)
    assert {r.action for r in records} == {"create", "move_in"} and {r.source for r in records} == {"import"}
    assert ChangeRecord.objects.filter(entity="household", object_id=home.pk, action="create").exists()


def test_same_file_twice_creates_nothing(street, tmp_path, rows):
    path = write_csv(tmp_path / "p.csv", PERSON_HEADER, rows)
    run(path, user=street.dispatcher)
    count = ChangeRecord.objects.count()
    again = run(path, user=street.dispatcher)
    assert (again["created"], again["updated"], again["unchanged"], again["rejected"]) == (0, 0, 3, 0)
    assert Person.objects.count() == 3 and ChangeRecord.objects.count() == count


def test_reimport_updates_changed_fields_through_the_services(street, tmp_path, rows):
    run(write_csv(tmp_path / "p.csv", PERSON_HEADER, rows), user=street.dispatcher)
    rows[0][4] = "13700001111"  # a new phone, found by ID number
    rows[1][6] = "常住"  # found by name + address
    result = run(write_csv(tmp_path / "p2.csv", PERSON_HEADER, rows), user=street.dispatcher)
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 2, 1)
    zhang = Person.objects.get(name="张建国")
    assert zhang.phone == "13700001111" and zhang.version == 2
    record = ChangeRecord.objects.filter(entity="person", object_id=zhang.pk, action="update").get()
    assert record.source == "import" and record.changes["phone"] == ["13812341234", "13700001111"]
    assert Person.objects.get(name="李秀英").residence == "resident"


def test_moving_house_is_history(street, tmp_path, rows):
    run(write_csv(tmp_path / "p.csv", PERSON_HEADER, rows), user=street.dispatcher)
    rows[2][5] = "愚园路132弄2号301室"
    result = run(write_csv(tmp_path / "p2.csv", PERSON_HEADER, rows), user=street.dispatcher)
    assert result["updated"] == 1
    memberships = Membership.objects.filter(person__name="王小明").order_by("started_at")
    assert [m.household.address_key for m in memberships] == ["愚园路130弄1号", "愚园路132弄2号301室"]
    assert memberships[0].ended_at is not None and memberships[1].ended_at is None


def test_a_row_without_the_room_does_not_move_the_person(street, tmp_path, rows):
    run(write_csv(tmp_path / "p.csv", PERSON_HEADER, rows), user=street.dispatcher)
    rows[0][5] = "愚园路128弄3号"
    result = run(write_csv(tmp_path / "p2.csv", PERSON_HEADER, rows), user=street.dispatcher)
    assert result["unchanged"] == 3


def test_bad_rows_are_rejected_with_a_reason_and_the_rest_imported(street, tmp_path, valid_id):
    good = valid_id("31010619600101123")
    bad_rows = [
        ["张三", "男", "", good[:-1] + ("0" if good[-1] != "0" else "1"), "", "愚园路128弄1号101室", "", "", "", ""],
        ["李四", "男", "1960-13-45", "", "", "愚园路128弄1号102室", "", "", "", ""],
        ["王五", "男", "", "", "12345", "愚园路128弄1号103室", "", "", "", ""],
        ["赵六", "男", "", "", "", "南京东路1号", "", "", "", ""],
        ["", "男", "", "", "", "愚园路128弄1号104室", "", "", "", ""],
        ["钱七", "男", "", "", "", "愚园路128弄1号105室", "外籍", "", "", ""],
        ["孙八", "男", "", "", "", "愚园路128弄1号106室", "", "", "不存在的标签", ""],
        ["周九", "男", "1961-01-01", good, "", "愚园路128弄1号107室", "", "", "", ""],
        ["吴十", "女", "", "", "", "愚园路128弄1号108室", "", "", "", ""],
    ]
    result = run(write_csv(tmp_path / "bad.csv", PERSON_HEADER, bad_rows), user=street.dispatcher)
    assert (result["created"], result["rejected"]) == (1, 8)
    reasons = dict(RegistryImportRejection.objects.values_list("row_number", "reason"))
    assert "校验位" in reasons[2]
    assert "出生日期" in reasons[3]
    assert "联系电话" in reasons[4]
    assert "地址库" in reasons[5]
    assert "缺少姓名" in reasons[6]
    assert "人员类型" in reasons[7]
    assert "未知的人员标签" in reasons[8]
    assert "不一致" in reasons[9]
    assert RegistryImportRejection.objects.get(row_number=2).data["姓名"] == "张三"


def test_duplicates_inside_one_file_are_flagged(street, tmp_path, rows, valid_id):
    rows.append(list(rows[0]))  # the same ID number again
    rows.append(["李秀英", "女", "", "", "", "愚园路128弄3号501室", "", "", "", ""])  # name + address again
    result = run(write_csv(tmp_path / "p.csv", PERSON_HEADER, rows), user=street.dispatcher)
    assert (result["created"], result["duplicates"], result["rejected"]) == (3, 2, 2)
    reasons = sorted(RegistryImportRejection.objects.values_list("reason", flat=True))
    assert any("与第 2 行" in r and "身份证号相同" in r for r in reasons)
    assert any("与第 3 行" in r and "姓名和地址相同" in r for r in reasons)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_encodings(street, tmp_path, rows, encoding):
    result = run(write_csv(tmp_path / "p.csv", PERSON_HEADER, rows, encoding=encoding), user=street.dispatcher)
    assert result["created"] == 3
    assert Person.objects.filter(name="张建国").exists()


def test_xlsx_with_dates_as_cells(street, tmp_path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(PERSON_HEADER)
    for row in rows:
        birth = date(1952, 5, 1) if row[0] == "李秀英" else row[2]  # a date cell, as Excel stores it
        sheet.append([*row[:2], birth, *row[3:]])
    workbook.save(tmp_path / "p.xlsx")
    result = run(tmp_path / "p.xlsx", user=street.dispatcher)
    assert result["created"] == 3
    assert Person.objects.get(name="李秀英").birth_date == date(1952, 5, 1)


def test_head_conflict_is_rejected(street, tmp_path, rows):
    rows[1][7] = "户主"
    result = run(write_csv(tmp_path / "p.csv", PERSON_HEADER, rows), user=street.dispatcher)
    assert result["rejected"] == 1
    assert "已有户主" in RegistryImportRejection.objects.get().reason


def test_a_cadre_imports_only_its_own_neighbourhood(street, tmp_path, rows):
    estate = EstateFactory(name="康定小区", neighbourhood=street.other_neighbourhood, grid=street.other_grid)
    AddressRangeFactory(estate=estate, road="康定路", first=900, last=980)
    rows.append(["外区人", "男", "", "", "", "康定路900弄2号101室", "", "", "", ""])
    rows.append(["无地址", "男", "", "", "", "", "", "", "", ""])
    result = run(write_csv(tmp_path / "p.csv", PERSON_HEADER, rows), user=street.cadre)
    assert (result["created"], result["rejected"]) == (3, 2)
    reasons = dict(RegistryImportRejection.objects.values_list("row_number", "reason"))
    assert "新码居民区" in reasons[5] and "不在您负责的居民区" in reasons[5]
    assert "本居民区" in reasons[6]
    assert not Person.objects.filter(name__in=["外区人", "无地址"]).exists()


def test_one_id_number_with_an_unrelated_name_is_rejected_not_merged(street, tmp_path, rows):
    run(write_csv(tmp_path / "p.csv", PERSON_HEADER, rows), user=street.dispatcher)
    other = [["顾翠英", "", "", rows[0][3], "15451334652", "", "户籍", "", "", ""]]
    result = run(write_csv(tmp_path / "p2.csv", PERSON_HEADER, other), user=street.dispatcher)
    assert (result["created"], result["updated"], result["rejected"]) == (0, 0, 1)
    zhang = Person.objects.get(id_number=rows[0][3])
    assert zhang.name == "张建国" and zhang.phone == "13812341234"
    reason = RegistryImportRejection.objects.get().reason
    assert "身份证号与底册中已登记的人员相同,但姓名不同" in reason
    # A variant character of the same name is the same man: the row updates him.
    variant = [["张建囯", "", "", rows[0][3], "13812349999", "", "户籍", "", "", ""]]
    result = run(write_csv(tmp_path / "p3.csv", PERSON_HEADER, variant), user=street.dispatcher)
    assert (result["updated"], result["rejected"]) == (1, 0)
    assert Person.objects.get(pk=zhang.pk).phone == "13812349999"
