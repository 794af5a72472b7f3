import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases import services
from cases.models import Attachment, CaseEvent
from core.errors import PermissionDenied, ValidationFailed
from core.testing import tiny_pdf, tiny_png
from org.services import api_token_create

PNG = tiny_png()
PDF = tiny_pdf()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_handler_attaches_a_photo_recorded_as_an_event(street):
    case = street.signed_case()
    attachment = services.case_attach(actor=street.handler, case=case,
                                      upload=SimpleUploadedFile("现场.png", PNG), note="现场照片")
    assert attachment.content_type == "image/png" and attachment.original_name == "现场.png"
    assert attachment.file.name.endswith(".png") and "现场" not in attachment.file.name
    event = CaseEvent.objects.get(case=case, action="attach")
    assert attachment.event == event and event.payload["size"] == attachment.size == attachment.file.size


def test_content_decides_the_type_not_the_name(street):
    case = street.new_case()
    with pytest.raises(ValidationFailed) as error:
        services.case_attach(actor=street.intake, case=case,
                             upload=SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script>"))
    assert "只支持" in error.value.message
    renamed = services.case_attach(actor=street.intake, case=case, upload=SimpleUploadedFile("x.jpg", PDF))
    assert renamed.content_type == "application/pdf"


def test_empty_and_oversized_files_are_refused_and_nothing_is_written(street, monkeypatch):
    case = street.new_case()
    with pytest.raises(ValidationFailed):
        services.case_attach(actor=street.intake, case=case, upload=SimpleUploadedFile("a.png", b""))
    monkeypatch.setattr(services.attachments, "MAX_ATTACHMENT_BYTES", 10)
    with pytest.raises(ValidationFailed) as error:
        services.case_attach(actor=street.intake, case=case, upload=SimpleUploadedFile("a.png", PNG))
    assert "10 MB" in error.value.message
    assert not Attachment.objects.exists() and not CaseEvent.objects.filter(action="attach").exists()


def test_handler_of_another_department_cannot_attach(street):
    case = street.signed_case()
    with pytest.raises(PermissionDenied):
        services.case_attach(actor=street.handler_other, case=case, upload=SimpleUploadedFile("a.png", PNG))


def test_api_upload_and_download_as_attachment_only(street):
    case = street.signed_case()
    _, key = api_token_create(user=street.handler)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.post(f"/api/cases/{case.pk}/attachments", {"file": SimpleUploadedFile("报告.pdf", PDF)})
    assert response.status_code == 201, response.content
    attachment_id = response.json()["id"]
    download = client.get(f"/api/cases/{case.pk}/attachments/{attachment_id}")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    _, other_key = api_token_create(user=street.handler_other)
    other = Client(HTTP_AUTHORIZATION=f"Bearer {other_key}")
    assert other.get(f"/api/cases/{case.pk}/attachments/{attachment_id}").status_code == 404
