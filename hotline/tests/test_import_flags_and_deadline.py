"""Issue 16, 12345 import: the hotline's 要求办结时间 binds, a bad phone is flagged not refused, the rejected-rows
file holds the rows' data, and the re-import preview says exactly what will happen to each row."""

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from cases import services as case_services
from cases.models import Case
from core import clock
from hotline import services

from .conftest import HEADER, csv_bytes, hotline_row, upload_job

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TUESDAY = datetime(2026, 11, 3, 10, 0, tzinfo=SH)  # the category's 5 working days end 11-10 10:00


def _import(street, rows):
    with clock.frozen_at(TUESDAY):
        return services.import_job_run(upload_job(street, csv_bytes(rows)).pk)


def _dispatch(street, case):
    with clock.frozen_at(TUESDAY):
        return case_services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department)


def test_the_hotline_deadline_binds_when_it_is_the_earlier(street):
    _import(street, [hotline_row(0, 要求办结时间="2026-11-05 17:00:00"), hotline_row(1, 要求办结时间="2026-11-20"),
                     hotline_row(2, 要求办结时间="")])
    early, late, none = (Case.objects.get(hotline_number=f"2026110{i:06d}") for i in range(3))
    assert early.hotline_due_at == datetime(2026, 11, 5, 17, 0, tzinfo=SH)
    assert late.hotline_due_at == datetime(2026, 11, 20, 23, 59, 59, tzinfo=SH)  # a date alone: that day's end
    assert none.hotline_due_at is None
    early, late, none = (_dispatch(street, case) for case in (early, late, none))
    assert early.handle_deadline == datetime(2026, 11, 5, 17, 0, tzinfo=SH)
    assert early.handle_deadline_source == "12345要求办结时间"
    assert late.handle_deadline == none.handle_deadline == datetime(2026, 11, 10, 10, 0, tzinfo=SH)
    assert late.handle_deadline_source == none.handle_deadline_source == "街道时限"
    client = Client()
    client.force_login(street.dispatcher)
    page = client.get(f"/cases/{early.pk}/").content.decode()
    assert "办结期限依据:12345要求办结时间" in page and "2026-11-05 17:00" in page


def test_an_unreadable_hotline_deadline_refuses_the_row(street):
    job = _import(street, [hotline_row(0, 要求办结时间="下周")])
    assert job.rejected_count == 1 and "要求办结时间格式无法识别" in job.rejections.get().reason


def test_a_bad_phone_is_imported_flagged_and_shown_to_be_checked(street):
    job = _import(street, [hotline_row(0, 联系电话="1391234"), hotline_row(1)])
    assert job.created_count == 2 and job.rejected_count == 0
    flagged, fine = Case.objects.get(hotline_number="2026110000000"), Case.objects.get(hotline_number="2026110000001")
    assert flagged.citizen_phone_unverified and flagged.citizen_phone == "1391234"
    assert not fine.citizen_phone_unverified and fine.citizen_phone == "13912345678"
    client = Client()
    client.force_login(street.dispatcher)
    page = client.get(f"/cases/{flagged.pk}/").content.decode()
    assert 'id="phone-unverified">待核实' in page and "号码格式不正确" in page
    assert 'id="phone-unverified"' not in client.get(f"/cases/{fine.pk}/").content.decode()


def test_the_rejected_rows_file_holds_each_rows_data_and_reason(street):
    job = _import(street, [hotline_row(0), hotline_row(1, 诉求内容="", 诉求人="=HYPERLINK()"),
                           hotline_row(2, 来电时间="昨天")])
    client = Client()
    client.force_login(street.intake)
    sheet = load_workbook(BytesIO(client.get(f"/hotline/jobs/{job.pk}/errors.xlsx").content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["行号", "原因", *HEADER]
    assert rows[1][:3] == [3, "缺少诉求内容", "2026110000001"]
    assert rows[1][HEADER.index("诉求人") + 2] == "'=HYPERLINK()"  # through core.excel: inert text, not a formula
    assert rows[1][HEADER.index("要求办结时间") + 2] == "2026-11-10 17:00:00"
    assert rows[2][0] == 4 and "来电时间" in rows[2][1] and rows[2][HEADER.index("来电时间") + 2] == "昨天"


def test_reimport_preview_labels_exactly_what_the_import_does(street):
    first = [hotline_row(0), hotline_row(1), hotline_row(2, 诉求内容="")]
    _import(street, first)
    existing = {c.hotline_number: c.number for c in Case.objects.all()}
    # the same file again, one changed row (same hotline number), one new row twice, a bad phone, and a known number
    # whose row no longer parses
    rows = [hotline_row(0), hotline_row(1, 诉求内容="楼道堆物又出现了(补充)"), hotline_row(2, 诉求内容=""),
            hotline_row(3), hotline_row(3), hotline_row(4, 联系电话="abc"), hotline_row(5, 工单编号="2026110000000",
                                                                            来电时间="不是时间")]
    with clock.frozen_at(TUESDAY):
        job = upload_job(street, csv_bytes(rows))
        preview = services.import_preview(job)
    labels = [(p["label"], p["case_number"]) for p in preview]
    assert labels == [("已导入(跳过)", existing["2026110000000"]), ("已导入(跳过)", existing["2026110000001"]),
                      ("拒绝", ""), ("新增", ""), ("文件内重复(跳过)", ""), ("新增", ""),
                      ("拒绝", existing["2026110000000"])]
    assert preview[0]["note"] == "" and preview[3]["note"] == "12345要求办结时间 11-10 17:00"
    assert "内容与已导入的工单不同,不会更新原工单" in preview[1]["note"]
    assert "待核实" in preview[5]["note"] and "来电时间" in preview[6]["note"] and "原工单不变" in preview[6]["note"]
    # …and the import does exactly that.
    with clock.frozen_at(TUESDAY):
        done = services.import_job_run(job.pk)
    assert (done.created_count, done.skipped_count, done.rejected_count) == (2, 3, 2)
    assert Case.objects.get(hotline_number="2026110000001").content == hotline_row(1)[HEADER.index("诉求内容")]
    client = Client()
    client.force_login(street.intake)
    page = client.get(f"/hotline/jobs/{upload_job(street, csv_bytes(rows)).pk}/").content.decode()
    # a third upload: now rows 1–6 all have cases (the repeat of row 4 too); the known number that does not parse
    # is still 拒绝
    assert page.count('outcome-skip">已导入(跳过)') == 5 and existing["2026110000000"] in page
    assert page.count('outcome-reject">拒绝') == 2


def test_the_rejected_rows_file_is_masked_for_the_administrator(street):
    job = _import(street, [hotline_row(0, 诉求内容="", 联系电话="13912345678", 诉求人="李秀英")])
    client = Client()
    client.force_login(street.admin)
    sheet = load_workbook(BytesIO(client.get(f"/hotline/jobs/{job.pk}/errors.xlsx").content)).active
    row = [cell.value for cell in sheet[2]]
    assert row[HEADER.index("联系电话") + 2] == "139****5678" and row[HEADER.index("诉求人") + 2] != "李秀英"
    assert "13912345678" not in str(row) and row[HEADER.index("工单编号") + 2] == "2026110000000"
