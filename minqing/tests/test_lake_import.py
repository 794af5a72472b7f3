import csv
import io
import json

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from core.errors import PermissionDenied, ValidationFailed
from minqing.models import LakeImport, LakeRecord, LakeRejection
from minqing.services.lake import (
    lake_import_create,
    lake_import_file,
    lake_import_run,
    lake_source_for,
    map_columns,
    rejections_workbook,
)
from registry import services as registry_services

from .factories import household


def _csv(tmp_path, rows, *, header=("编号", "日期", "地址", "内容", "分类"), encoding="utf-8-sig", name="lake.csv"):
    path = tmp_path / name
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def places(street):
    home = household(street, "愚园路120弄3号201室")
    unit = registry_services.unit_create(actor=street.dispatcher, name="好邻居便利店", address="愚园路128弄1号")
    return home, unit


ROWS = [
    ("A-1", "2026-03-01", "上海市静安区愚园路120弄3号201室", "楼上漏水,天花板发霉", "房屋报修"),
    ("A-2", "2026/3/2", "愚园路１２０弄３号２０１室", "再次反映漏水", "房屋报修"),  # full-width digits
    ("A-3", "2026年3月3日", "愚园路128弄1号", "便利店门口油烟扰民", "油烟"),
    ("A-4", "2026-03-04 09:30:00", "愚园路120弄5号", "楼道灯不亮", "照明"),  # the building only
    ("A-5", "2026-03-05", "南京西路1号", "噪音", "噪音"),  # nowhere in the street
    ("A-6", "", "愚园路120弄3号201室", "", "空"),  # no text: rejected
    ("A-7", "明天", "愚园路120弄3号201室", "日期写错", "其他"),  # bad date: rejected
]


def test_rows_join_households_units_and_buildings_by_address(street, places, tmp_path):
    home, unit = places
    result = lake_import_file(actor=street.dispatcher, path=_csv(tmp_path, ROWS), source_name="房管报修")
    assert result.status == "done"
    assert (result.created, result.matched, result.unmatched, result.rejected) == (5, 4, 1, 2)
    by_id = {r.external_id: r for r in LakeRecord.objects.all()}
    assert by_id["A-1"].household == home and by_id["A-1"].match == "household"
    assert by_id["A-2"].household == home  # 全角数字 and no 上海市静安区 prefix: the same room
    assert by_id["A-3"].unit == unit and by_id["A-3"].match == "unit"
    assert by_id["A-4"].match == "building" and by_id["A-4"].neighbourhood_id == street.neighbourhood.pk
    assert by_id["A-5"].match == "none" and by_id["A-5"].neighbourhood_id is None
    assert str(by_id["A-2"].occurred_on) == "2026-03-02" and by_id["A-1"].category_text == "房屋报修"
    reasons = dict(LakeRejection.objects.values_list("row_number", "reason"))
    assert reasons[7] == "内容为空" and reasons[8].startswith("日期无法识别")


def test_the_same_file_twice_creates_nothing_new(street, places, tmp_path):
    path = _csv(tmp_path, ROWS)
    lake_import_file(actor=street.dispatcher, path=path, source_name="房管报修")
    again = lake_import_file(actor=street.dispatcher, path=path, source_name="房管报修")
    assert (again.created, again.duplicates) == (0, 5)
    assert LakeRecord.objects.count() == 5
    # Another source may use the same numbers.
    other = lake_import_file(actor=street.dispatcher, path=path, source_name="12345历史")
    assert other.created == 5


def test_a_file_without_ids_is_idempotent_by_its_content(street, places, tmp_path):
    path = _csv(tmp_path, [(r[2], r[3]) for r in ROWS[:3]], header=("诉求地址", "诉求内容"), encoding="gb18030")
    first = lake_import_file(actor=street.dispatcher, path=path, source_name="市场监管投诉")
    second = lake_import_file(actor=street.dispatcher, path=path, source_name="市场监管投诉")
    assert (first.created, second.created, second.duplicates) == (3, 0, 3)


def test_control_characters_are_cleaned(street, places, tmp_path):
    path = _csv(tmp_path, [("B-1", "2026-03-01", "愚园路120弄3号201室", "第一行\x0b第二行\x07", "")])
    lake_import_file(actor=street.dispatcher, path=path, source_name="房管报修")
    assert LakeRecord.objects.get().text == "第一行\n第二行"


def test_a_file_without_a_text_column_is_refused_before_anything_runs(street, tmp_path):
    path = _csv(tmp_path, [("1", "愚园路")], header=("编号", "地址"))
    with pytest.raises(ValidationFailed, match="内容"):
        lake_import_file(actor=street.dispatcher, path=path, source_name="房管报修")
    assert not LakeImport.objects.exists()


def test_column_variants_are_recognised():
    mapping = map_columns(["工单编号", "受理时间", "事发地址", "问题描述", "诉求分类"])
    assert mapping == {"external_id": "工单编号", "occurred_on": "受理时间", "address": "事发地址",
                       "text": "问题描述", "category_text": "诉求分类"}


def test_only_the_centre_imports(street, tmp_path):
    source = lake_source_for(name="房管报修")
    with pytest.raises(PermissionDenied):
        lake_import_create(actor=street.cadre, source=source, filename="a.csv", content=b"x")
    with pytest.raises(PermissionDenied):
        lake_import_file(actor=street.leader, path=_csv(tmp_path, ROWS), source_name="房管报修")


def test_an_uploaded_xlsx_runs_from_its_stored_content(street, places):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["单号", "报修日期", "报修地址", "报修内容"])
    sheet.append(["X-1", "2026-02-01", "愚园路120弄3号201室", "水管爆裂"])
    sheet.append(["X-2", "2026-02-02", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    lake_import = lake_import_create(actor=street.dispatcher, source=lake_source_for(name="房管报修"),
                                     filename="报修.xlsx", content=buffer.getvalue())
    assert lake_import.total == 2
    done = lake_import_run(lake_import.pk)
    assert (done.status, done.created, done.rejected, done.processed) == ("done", 1, 1, 2)
    out = io.BytesIO()
    rejections_workbook(done, actor=street.dispatcher).save(out)
    rows = list(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].values)
    assert rows[0][:2] == ("行号", "原因") and rows[1][:2] == (3, "内容为空")


def test_the_command_prints_its_counts_last(street, places, tmp_path, capsys):
    call_command("import_lake", str(_csv(tmp_path, ROWS)), "--source", "12345历史")
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {k: last[k] for k in ("created", "duplicates", "matched", "unmatched", "rejected")} == {
        "created": 5, "duplicates": 0, "matched": 4, "unmatched": 1, "rejected": 2}
