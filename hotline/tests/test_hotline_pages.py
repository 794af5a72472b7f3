"""The import page (upload → preview → run → progress → error file) and the export of replies."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEntry
from cases import services as case_services
from cases.models import Case
from hotline import services
from hotline.models import ImportJob
from hotline.services import default_profile

from .conftest import csv_bytes, hotline_row

pytestmark = pytest.mark.django_db


def test_upload_preview_start_and_progress(street, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services.jobs, "run_in_background", lambda task, *args: task(*args))  # the thread's work, inline
    client = Client()
    client.force_login(street.intake)
    content = csv_bytes([hotline_row(0), hotline_row(1, 诉求内容="")])
    response = client.post("/hotline/", {"file": SimpleUploadedFile("11月.csv", content),
                                         "profile": default_profile().pk})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hotline/jobs/{job.pk}/"
    preview = client.get(f"/hotline/jobs/{job.pk}/").content.decode()
    assert "新增" in preview and "缺少诉求内容" in preview and Case.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/hotline/jobs/{job.pk}/start/")
    progress = client.get(f"/hotline/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "已完成" in progress and 'id="created">1<' in progress and "下载未导入行清单" in progress
    errors = client.get(f"/hotline/jobs/{job.pk}/errors.xlsx")
    assert load_workbook(BytesIO(errors.content)).active.max_row == 2


def test_a_wrong_file_is_explained_on_the_page(street):
    client = Client()
    client.force_login(street.dispatcher)
    response = client.post("/hotline/", {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n"),
                                         "profile": default_profile().pk}, follow=True)
    assert "缺少必需的列" in response.content.decode() and not ImportJob.objects.exists()


def test_handlers_may_not_import(street):
    client = Client()
    client.force_login(street.handler)
    assert client.get("/hotline/").status_code == 403


def test_export_gives_the_replies_of_handled_hotline_cases_and_is_audited(street):
    case = street.called_back_case(source="hotline", hotline_number="2026110012345")
    client = Client()
    client.force_login(street.dispatcher)
    today = timezone.localtime(case.handled_at).date().isoformat()
    response = client.get("/hotline/export/", {"start": today, "end": today})
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("工单编号", "平台工单号", "处置单位")
    assert rows[1][0] == "2026110012345" and rows[1][6] == "已清理堆物" and rows[1][8] == "满意" and rows[1][9] == "是"
    assert AuditEntry.objects.filter(action="export", object_type="hotline_export").exists()
    bad = client.get("/hotline/export/", {"start": "2026-11-30", "end": "2026-11-01"})
    assert bad.status_code == 422 and "结束日期" in bad.content.decode()


def test_the_preview_is_masked_for_the_administrator(street):
    row = hotline_row(0, 诉求内容="居民张三丰反映愚园路128弄3号漏水,电话13812345678", 诉求地址="愚园路128弄3号")
    job_for = {}
    for user in (street.admin, street.dispatcher):
        client = Client()
        client.force_login(user)
        client.post("/hotline/", {"file": SimpleUploadedFile("11月.csv", csv_bytes([row])),
                                  "profile": default_profile().pk})
        job_for[user.role] = ImportJob.objects.order_by("-pk").first()
        page = client.get(f"/hotline/jobs/{job_for[user.role].pk}/").content.decode()
        if user == street.admin:
            assert "13812345678" not in page and "张三丰" not in page and "128弄" not in page
            assert "138****5678" in page and "愚园路xx弄x号" in page
        else:
            assert "13812345678" in page and "愚园路128弄3号" in page


def test_the_replies_export_is_masked_for_the_administrator(street):
    case = street.signed_case(source="hotline", hotline_number="2026110054321")
    case = case_services.case_record_first_contact(actor=street.handler, case=case, method="phone", outcome="已联系")
    case_services.case_finish(actor=street.handler, case=case, result="已上门,张建国家(13812341234)堆物已清理")
    today = timezone.localdate().isoformat()
    results = {}
    for user in (street.admin, street.dispatcher):
        client = Client()
        client.force_login(user)
        response = client.get("/hotline/export/", {"start": today, "end": today})
        results[user.role] = list(load_workbook(BytesIO(response.content)).active.values)[1][6]
    assert "13812341234" not in results["admin"] and "张建国" not in results["admin"]
    assert results["dispatcher"] == "已上门,张建国家(13812341234)堆物已清理"
