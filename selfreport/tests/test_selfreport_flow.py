"""Issue 16 on the public pages: a refused report answers htmx with the form fragment (photos stay in the page),
the code answer says when to ask again, the receipt links to the status page with the number only, and the
status page says what is missing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.models import Case
from core.testing import tiny_png
from selfreport.models import PhoneCode

pytestmark = pytest.mark.django_db
PHONE = "13900001111"
HTMX = {"HTTP_HX_REQUEST": "true"}


def fields(code, **extra):
    data = {"content": "愚园路128弄门口窨井盖缺失,晚上很危险", "address": "愚园路128弄3号", "phone": PHONE,
            "code": code, "name": "李阿姨", "latitude": "31.224500", "longitude": "121.445200"}
    data.update(extra)
    return data


def test_a_wrong_code_sent_by_htmx_answers_the_form_fragment_with_the_message(street, sms_outbox):
    client = Client()
    client.post("/report/code/", {"phone": PHONE})
    response = client.post("/report/", fields("000000", photos=[SimpleUploadedFile("井盖.png", tiny_png())]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 422 and 'role="alert"' in html and "验证码不正确" in html
    assert not html.lstrip().lower().startswith("<!doctype")  # a fragment, swapped in place of the form
    assert 'id="id_photos"' in html and "hx-preserve" in html  # the chosen photos' input is kept by the page
    assert 'value="31.224500"' in html and "李阿姨" in html  # what was typed stays
    assert not Case.objects.exists()


def test_the_accepted_report_answers_htmx_with_the_receipt_linking_the_status_page(street, sms_outbox, settings,
                                                                                    tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    client.post("/report/code/", {"phone": PHONE})
    response = client.post("/report/", fields(sms_outbox.last_code(PHONE), photos=[
        SimpleUploadedFile("一.png", tiny_png()), SimpleUploadedFile("二.png", tiny_png())]), **HTMX)
    case = Case.objects.get()
    html = response.content.decode()
    assert response.status_code == 200 and case.number in html and "已附照片 2 张" in html
    assert f"/report/status/?number={case.number}" in html and PHONE not in html  # never the phone in a URL
    assert case.attachments.count() == 2 and case.citizen_name == "李阿姨"


def test_the_code_answer_tells_the_page_when_to_ask_again(street, sms_outbox):
    client = Client()
    sent = client.post("/report/code/", {"phone": PHONE})
    assert sent.status_code == 200 and 'data-resend-after="60"' in sent.content.decode()
    again = client.post("/report/code/", {"phone": PHONE})
    html = again.content.decode()
    assert again.status_code == 429 and 'role="alert"' in html and "60 秒后再试" in html
    assert 'data-resend-after="' in html and PhoneCode.objects.count() == 1


def test_the_status_page_is_prefilled_from_the_receipt_and_says_what_is_missing(street):
    case = street.dispatched_case(citizen_phone=PHONE)
    client = Client()
    prefilled = client.get(f"/report/status/?number={case.number}").content.decode()
    assert f'value="{case.number}"' in prefilled and 'id="case-status"' not in prefilled
    missing = client.post("/report/status/", {"number": case.number, "phone": ""})
    html = missing.content.decode()
    assert missing.status_code == 422 and "请填写反映问题时留的手机号" in html and f'value="{case.number}"' in html
    no_number = client.post("/report/status/", {"number": "", "phone": PHONE}).content.decode()
    assert "请填写工单号" in no_number
    found = client.post("/report/status/", {"number": case.number, "phone": PHONE}).content.decode()
    assert 'id="case-status"' in found and "已派单" in found
