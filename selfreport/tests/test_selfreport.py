"""The public self-report page: verified phone, the case, its photos, and following it by number and phone."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.models import Case
from core import clock
from core.errors import ValidationFailed
from core.testing import tiny_png
from selfreport import services
from selfreport.models import PhoneCode

pytestmark = pytest.mark.django_db
PHONE = "13900001111"
PNG = tiny_png()


def report(client, code, **extra):
    data = {"content": "愚园路128弄门口窨井盖缺失,晚上很危险", "address": "愚园路128弄3号", "phone": PHONE, "code": code}
    data.update(extra)
    return client.post("/report/", data)


def test_a_verified_report_becomes_a_self_reported_case_with_photos(street, sms_outbox, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    assert client.post("/report/code/", {"phone": PHONE}).status_code == 200
    code = sms_outbox.last_code(PHONE)
    assert not PhoneCode.objects.filter(code_hash__contains=code).exists()  # only a hash is stored
    response = report(client, code, photos=[SimpleUploadedFile("井盖.png", PNG)])
    assert response.status_code == 200 and "已受理" in response.content.decode()
    case = Case.objects.get()
    assert case.source == "self_report" and case.citizen_phone == PHONE and case.neighbourhood == street.neighbourhood
    assert case.attachments.count() == 1
    assert report(Client(), code).status_code == 422  # a code works once
    assert Case.objects.count() == 1


def test_wrong_codes_are_counted_and_lock_the_code(street, sms_outbox):
    client = Client()
    client.post("/report/code/", {"phone": PHONE})
    for _ in range(services.MAX_ATTEMPTS):
        assert report(client, "000000").status_code == 422
    right = sms_outbox.last_code(PHONE)
    locked = report(client, right)
    assert locked.status_code == 429 and "错误次数过多" in locked.content.decode()
    assert not Case.objects.exists()


def test_codes_are_rate_limited_and_expire(street, sms_outbox):
    services.phone_code_send(phone=PHONE)
    with pytest.raises(services.RateLimited):
        services.phone_code_send(phone=PHONE)
    code = sms_outbox.last_code(PHONE)
    PhoneCode.objects.update(created_at=clock.now() - timedelta(minutes=11))
    with pytest.raises(ValidationFailed) as error:
        services.phone_code_check(phone=PHONE, code=code)
    assert "过期" in error.value.message


def test_landlines_and_bad_numbers_get_no_code(street, sms_outbox):
    response = Client().post("/report/code/", {"phone": "021-62481234"})
    assert response.status_code == 422 and "11位手机号" in response.content.decode()
    assert sms_outbox.MESSAGES == []


def test_status_needs_the_number_and_the_phone_and_shows_no_internal_notes(street, sms_outbox):
    case = street.dispatched_case(citizen_phone=PHONE)
    client = Client()
    wrong = client.post("/report/status/", {"number": case.number, "phone": "13900002222"})
    # The number typed stays in its field (issue 16: the receipt link pre-fills it); nothing of the case is shown.
    assert wrong.status_code == 404 and "没有找到该工单" in wrong.content.decode()
    assert 'id="case-status"' not in wrong.content.decode() and "城管中队" not in wrong.content.decode()
    page = client.post("/report/status/", {"number": case.number.lower(), "phone": PHONE}).content.decode()
    assert "已派单" in page and "城管中队" in page and "派单" in page
    assert "张建国" not in page  # the registering operator's and citizen's names stay inside
