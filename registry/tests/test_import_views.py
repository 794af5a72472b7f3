"""The import pages: who may open them (insider/outsider), upload → preview → start, masking and audit, the
rejected-rows workbook, the review of suspected duplicates and its decisions (htmx), failures with their message."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry
from registry import import_jobs
from registry.models import LinkCandidate, Person, RegistryImportJob

from .importhelp import PERSON_HEADER, run, write_csv


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(rows, name="居委.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    import csv

    writer = csv.writer(buffer)
    writer.writerow(PERSON_HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("gb18030"), content_type="text/csv")


ROWS = [["张建国", "男", "1950-03-08", "", "13812341234", "愚园路128弄3号501室", "户籍", "户主", "独居老人", ""],
        ["李四", "男", "1960-13-45", "", "", "愚园路128弄1号102室", "", "", "", ""]]


@pytest.mark.parametrize("role, status", [("dispatcher", 200), ("admin", 200), ("cadre", 200), ("grid_user", 403),
                                          ("leader", 403), ("intake", 403), ("handler", 403), ("auditor", 403)])
def test_who_may_open_the_import_page(street, role, status):
    assert client_for(getattr(street, role)).get(reverse("registry_import:home")).status_code == status
    assert client_for(getattr(street, role)).get(reverse("registry_import:candidates")).status_code == status


def test_upload_preview_start_and_progress(street, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(import_jobs, "run_in_background", lambda task, *args: task(*args))
    client = client_for(street.dispatcher)
    response = client.post(reverse("registry_import:home"), {"kind": "persons", "file": upload(ROWS)})
    job = RegistryImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("registry_import:job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "新增" in page and "出生日期不是有效日期" in page and "张建国" in page  # the dispatcher sees it clear
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL_DATA,
                                     object_type="registry.import_job").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry_import:start", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and (job.created_count, job.rejected_count) == (1, 1)
    progress = client.get(reverse("registry_import:job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="created">1<' in progress and "下载未导入行清单" in progress
    sheet = load_workbook(io.BytesIO(client.get(reverse("registry_import:errors", args=[job.pk])).content)).active
    data = [[c.value for c in row] for row in sheet.iter_rows()]
    assert data[0][:3] == ["行号", "原因", "姓名"] and data[1][0] == 3 and "出生日期" in data[1][1]


def test_a_wrong_file_says_why(street):
    client = client_for(street.dispatcher)
    bad = SimpleUploadedFile("x.csv", "名字,电话\n张三,1\n".encode(), content_type="text/csv")
    response = client.post(reverse("registry_import:home"), {"kind": "persons", "file": bad})
    assert response.status_code == 422 and "缺少必需的列" in response.content.decode()
    response = client.post(reverse("registry_import:home"), {"kind": "persons"})
    assert response.status_code == 422 and "请选择要上传的文件" in response.content.decode()
    assert not RegistryImportJob.objects.exists()


def test_the_cadre_sees_the_preview_masked_and_only_its_own_jobs(street):
    client = client_for(street.cadre)
    response = client.post(reverse("registry_import:home"), {"kind": "persons", "file": upload(ROWS)})
    job = RegistryImportJob.objects.get()
    page = client.get(response.url).content.decode()
    assert "张**" in page and "张建国" not in page and "13812341234" not in page
    others = RegistryImportJob.objects.create(kind="persons", file=job.file.name, original_name="x.csv",
                                              profile=job.profile, created_by=street.dispatcher)
    assert client.get(reverse("registry_import:job", args=[others.pk])).status_code == 404
    assert client.post(reverse("registry_import:start", args=[others.pk])).status_code == 404
    assert client.get(reverse("registry_import:errors", args=[others.pk])).status_code == 404
    # The dispatcher (street-wide) sees the cadre's job.
    assert client_for(street.dispatcher).get(reverse("registry_import:job", args=[job.pk])).status_code == 200


@pytest.fixture
def pending(street, tmp_path, valid_id):
    run(write_csv(tmp_path / "a.csv", PERSON_HEADER, [
        ["张建国", "男", "1950-03-08", valid_id("31010619500308123"), "13812341234", "愚园路128弄3号501室", "", "", "", ""]]),
        user=street.dispatcher)
    run(write_csv(tmp_path / "b.csv", PERSON_HEADER, [
        ["张建囯", "男", "1950-03-08", "", "13812341234", "愚园路128弄3号", "", "", "", ""]]), user=street.dispatcher)
    return LinkCandidate.objects.get()


def test_review_side_by_side_clear_for_the_dispatcher_masked_for_the_cadre(street, pending):
    page = client_for(street.dispatcher).get(reverse("registry_import:candidates")).content.decode()
    assert "张建囯" in page and "张建国" in page and "同一人" in page and "电话相同" in page
    assert AuditEntry.objects.filter(object_type="registry.link_candidate").exists()
    page = client_for(street.cadre).get(reverse("registry_import:candidates")).content.decode()
    assert "张**" in page and "张建国" not in page and "13812341234" not in page
    assert "待派单员确认" in page and 'value="same"' not in page


def test_decide_by_htmx(street, pending):
    client = client_for(street.dispatcher)
    url = reverse("registry_import:decide", args=[pending.pk])
    response = client.post(url, {"decision": "same"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "已确认:同一人" in response.content.decode()
    pending.refresh_from_db()
    assert pending.decision == "same" and pending.decided_by == street.dispatcher
    again = client.post(url, {"decision": "different"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 409 and "已由" in again.content.decode()
    assert Person.objects.count() == 1


def test_decide_refusals(street, pending):
    url = reverse("registry_import:decide", args=[pending.pk])
    assert client_for(street.cadre).post(url, {"decision": "same"}).status_code == 403
    assert client_for(street.admin).post(url, {"decision": "same"}).status_code == 403
    assert client_for(street.grid_user).post(url, {"decision": "same"}).status_code == 403
    assert client_for(street.dispatcher).post(url, {"decision": "maybe"}).status_code == 422
    missing = reverse("registry_import:decide", args=[pending.pk + 999])
    assert client_for(street.dispatcher).post(missing, {"decision": "same"}).status_code == 404
    pending.refresh_from_db()
    assert pending.decision == "pending"


def test_a_cadre_sees_only_its_own_neighbourhoods_pairs(street, pending):
    from org.tests.factories import UserFactory

    other = UserFactory(username="t_cadre_other", role="cadre", neighbourhood=street.other_neighbourhood)
    assert import_jobs.candidates(street.cadre).count() == 1
    assert import_jobs.candidates(other).count() == 0
    assert "没有待确认的疑似重复" in client_for(other).get(reverse("registry_import:candidates")).content.decode()
