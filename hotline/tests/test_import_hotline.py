"""12345 import: encodings and Excel, validation per row, idempotence, batches that survive a crash, the CLI."""

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from cases.models import Case, CaseEvent
from core.errors import ValidationFailed
from hotline import services
from hotline.models import ImportJob, ImportProfile

from .conftest import HEADER, csv_bytes, hotline_row, upload_job

pytestmark = pytest.mark.django_db


def profile() -> ImportProfile:
    return services.default_profile()


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    from io import BytesIO

    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_every_encoding_becomes_hotline_cases_with_events(street, encoding):
    job = upload_job(street, csv_bytes([hotline_row(i) for i in range(5)], encoding))
    job = services.import_job_run(job.pk, batch_size=2)
    assert job.status == ImportJob.Status.DONE and job.created_count == 5 and job.total_rows == 5
    case = Case.objects.get(hotline_number="2026110000001")
    assert case.source == "hotline" and case.category == street.category and case.neighbourhood == street.neighbourhood
    assert case.title.startswith("【投诉】") and case.created_by == street.intake
    assert case.registered_at.isoformat().startswith("2026-11-03T01:15")  # 来电时间, Asia/Shanghai
    assert CaseEvent.objects.filter(action="register").count() == 5


def test_excel_with_numbers_stored_as_numbers(street):
    rows = [hotline_row(i) for i in range(3)]
    rows[0][0] = 2026110000000  # Excel keeps long numbers as numbers
    job = services.import_job_run(upload_job(street, xlsx_bytes(rows), "export.xlsx").pk)
    assert job.created_count == 3 and Case.objects.filter(hotline_number="2026110000000").exists()


def test_reimporting_the_same_file_never_duplicates(street):
    content = csv_bytes([hotline_row(i) for i in range(4)] + [hotline_row(1)])  # one repeat inside the file too
    first = services.import_job_run(upload_job(street, content).pk)
    second = services.import_job_run(upload_job(street, content).pk)
    assert (first.created_count, first.skipped_count) == (4, 1)
    assert (second.created_count, second.skipped_count) == (0, 5)
    assert Case.objects.count() == 4


def test_bad_rows_are_rejected_with_reasons_and_the_rest_imported(street):
    # Issue 16: a bad phone no longer refuses the row (it is imported flagged, see test_import_flags_and_deadline.py);
    # the rejected-rows sheet holds each row's original data after the reason.
    rows = [hotline_row(0), hotline_row(1, 诉求内容=""), hotline_row(2, 联系电话="12345"),
            hotline_row(3, 来电时间="昨天下午"), hotline_row(4, 工单编号="")]
    job = services.import_job_run(upload_job(street, csv_bytes(rows)).pk)
    assert job.created_count == 2 and job.rejected_count == 3
    reasons = {r.row_number: r.reason for r in job.rejections.all()}
    assert reasons[3] == "缺少诉求内容" and "来电时间" in reasons[5] and reasons[6] == "缺少工单编号"
    sheet = load_workbook(_saved(services.rejections_workbook(job))).active
    assert [c.value for c in sheet[1]] == ["行号", "原因", *HEADER] and sheet.max_row == 4


def _saved(workbook):
    from io import BytesIO

    out = BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def test_a_crash_keeps_committed_batches_and_a_rerun_resumes_without_duplicates(street, monkeypatch):
    job = upload_job(street, csv_bytes([hotline_row(i) for i in range(7)]))
    real = services.pipeline.case_register_validated
    calls = {"n": 0}

    def crash_on_second_batch(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(services.pipeline, "case_register_validated", crash_on_second_batch)
    job = services.import_job_run(job.pk, batch_size=3)
    assert job.status == ImportJob.Status.FAILED and "worker killed" in job.error
    assert job.last_row == 4 and Case.objects.count() == 3  # rows 2–4 committed, nothing of the failed batch
    monkeypatch.setattr(services.pipeline, "case_register_validated", real)
    job = services.import_job_run(job.pk, batch_size=3)
    assert job.status == ImportJob.Status.DONE and Case.objects.count() == 7 and job.created_count == 7


def test_wrong_columns_and_empty_files_are_refused_in_chinese(street):
    with pytest.raises(ValidationFailed) as error:
        upload_job(street, "编号,内容\n1,x\n".encode())
    assert "缺少必需的列" in error.value.message and "编号、内容" in error.value.message
    with pytest.raises(ValidationFailed) as empty:
        upload_job(street, b"")
    assert "文件为空" in empty.value.message
    with pytest.raises(ValidationFailed):
        upload_job(street, b"x", "export.pdf")
    assert not ImportJob.objects.exists()


def test_preview_flags_problems_without_writing(street):
    street.new_case(source="hotline", hotline_number="2026110000000")
    job = upload_job(street, csv_bytes([hotline_row(0), hotline_row(1, 诉求分类="不存在的分类"), hotline_row(2, 诉求内容="")]))
    preview = services.import_preview(job)
    # Issue 16: labelled with what the import does (已导入(跳过) with the case's number, 新增, 拒绝) and a note.
    assert [p["label"] for p in preview] == ["已导入(跳过)", "新增", "拒绝"]
    assert preview[0]["case_number"].startswith("JAS-")
    assert "分类未匹配,将由派单员判断" in preview[1]["note"] and preview[2]["note"] == "缺少诉求内容"
    assert Case.objects.count() == 1


def test_the_command_refuses_nonsense_batch_and_writer_counts_before_creating_a_job(street, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([hotline_row(0)]))
    for option, message in (("--writers", "--writers 至少为 1"), ("--batch", "--batch 至少为 1")):
        with pytest.raises(CommandError, match=message):
            call_command("import_hotline", str(path), "--user", street.intake.username, option, "0")
    assert not ImportJob.objects.exists() and not Case.objects.exists()


def test_the_command_reports_progress_and_refuses_a_missing_file(street, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([hotline_row(i) for i in range(5)], "gb18030"))
    out = StringIO()
    call_command("import_hotline", str(path), "--user", street.intake.username, "--batch", "2", stdout=out)
    assert "已处理至第" in out.getvalue() and "导入完成:新建 5" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("import_hotline", str(tmp_path / "missing.csv"), "--user", street.intake.username)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-10-01 09:05", datetime(2026, 10, 1, 9, 5)),
    ("2026-10-01 09:05:30", datetime(2026, 10, 1, 9, 5, 30)),
    ("2026/10/01 09:05", datetime(2026, 10, 1, 9, 5)),
    ("2026年10月01日 09:05", datetime(2026, 10, 1, 9, 5)),
    ("20261001090500", datetime(2026, 10, 1, 9, 5)),
    ("2026-10-01", datetime(2026, 10, 1)),
])
def test_call_times_in_the_layouts_hotline_exports_use(text, expected):
    from django.utils import timezone

    from hotline.services import parse_datetime_text

    assert timezone.localtime(parse_datetime_text(text, "来电时间")).replace(tzinfo=None) == expected


def test_an_iso_time_with_an_offset_keeps_it_and_nonsense_is_refused():
    from hotline.services import parse_datetime_text

    assert parse_datetime_text("2026-10-01 01:05:00+00:00", "来电时间").isoformat() == "2026-10-01T01:05:00+00:00"
    with pytest.raises(ValidationFailed, match="来电时间格式无法识别"):
        parse_datetime_text("2026-13-01 09:05", "来电时间")


def test_tabs_newlines_and_backslashes_survive_the_copy_text(street):
    content = "楼道\t堆物\\n不是换行\n第二行\r\n第三行 \\N"
    job = services.import_job_run(upload_job(street, csv_bytes([hotline_row(0, 诉求内容=content, 诉求人="王\\小\t二")])).pk)
    assert job.created_count == 1
    case = Case.objects.get(hotline_number="2026110000000")
    assert case.content == content and case.citizen_name == "王\\小\t二" and case.title == "【投诉】楼道堆物\\n不是换行第二行第三行\\N"
    event = CaseEvent.objects.get(case=case, action="register")
    assert event.payload == {"source": "hotline", "place_found": True} and event.actor == street.intake
    assert event.at == case.registered_at and case.number.endswith("-000001")


def test_read_ahead_keeps_order_hands_over_errors_and_stops_when_closed():
    import contextlib
    import threading

    from hotline.services.pipeline import read_ahead

    assert list(read_ahead(iter(range(50)), depth=2)) == list(range(50))

    def failing():
        yield 1
        raise ValueError("unreadable row")

    ahead = read_ahead(failing(), depth=2)
    assert next(ahead) == 1
    with pytest.raises(ValueError, match="unreadable row"):
        next(ahead)

    produced = []

    def endless():
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    with contextlib.closing(read_ahead(endless(), depth=2)) as items:
        assert next(items) == 0
    assert len(produced) <= 5  # bounded: at most `depth` items wait, plus the ones in hand
    assert not any(t.name == "hotline-read-ahead" for t in threading.enumerate())


def test_a_failure_while_reading_fails_the_job_and_keeps_the_committed_batches(street, monkeypatch):
    job = upload_job(street, csv_bytes([hotline_row(i) for i in range(7)]))
    real = services.RowParser.parse

    def parse(self, raw, **kwargs):
        if raw["工单编号"].endswith("05"):
            raise RuntimeError("reader broke")
        return real(self, raw, **kwargs)

    monkeypatch.setattr(services.RowParser, "parse", parse)
    job = services.import_job_run(job.pk, batch_size=2)
    assert job.status == ImportJob.Status.FAILED and "reader broke" in job.error
    assert job.last_row == 5 and Case.objects.count() == 4  # rows 2–5: the two batches before the one that broke
    monkeypatch.setattr(services.RowParser, "parse", real)
    job = services.import_job_run(job.pk, batch_size=2)
    assert job.status == ImportJob.Status.DONE and Case.objects.count() == 7


def test_interpreter_settings_are_restored_after_imports_even_overlapping_ones():
    import gc
    import sys

    from hotline.services.pipeline import import_runtime

    interval = sys.getswitchinterval()
    with import_runtime():
        with import_runtime():
            assert sys.getswitchinterval() == 0.0005
        assert sys.getswitchinterval() == 0.0005  # the other import still runs
    assert sys.getswitchinterval() == interval and gc.get_freeze_count() == 0
