"""The public form takes a few photos of a few megabytes, checked by content; anything else is refused in Chinese."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.models import Attachment, Case
from core.testing import tiny_png
from selfreport import services

pytestmark = pytest.mark.django_db
PHONE = "13900002222"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def submit(client, code, photos):
    data = {"content": "小区门口路灯不亮", "address": "愚园路128弄", "phone": PHONE, "code": code, "photos": photos}
    return client.post("/report/", data)


def test_too_many_photos_are_refused_and_the_code_stays_valid(street, sms_outbox):
    client = Client()
    client.post("/report/code/", {"phone": PHONE})
    code = sms_outbox.last_code(PHONE)
    photos = [SimpleUploadedFile(f"{i}.png", tiny_png()) for i in range(services.MAX_PHOTOS + 1)]
    response = submit(client, code, photos)
    assert response.status_code == 422 and f"最多上传 {services.MAX_PHOTOS} 张照片" in response.content.decode()
    assert not Case.objects.exists()
    assert submit(client, code, [SimpleUploadedFile("ok.png", tiny_png())]).status_code == 200


def test_a_disguised_photo_rolls_the_whole_report_back(street, sms_outbox):
    client = Client()
    client.post("/report/code/", {"phone": PHONE})
    disguised = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0<script>alert(1)</script>")
    response = submit(client, sms_outbox.last_code(PHONE), [SimpleUploadedFile("ok.png", tiny_png()), disguised])
    assert response.status_code == 422 and "图片已损坏" in response.content.decode()
    assert not Case.objects.exists() and not Attachment.objects.exists()
