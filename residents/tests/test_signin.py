"""Phone + SMS code sign-in on /me/: bound to the registry person, audited, its failures said and audited."""

import time

import pytest
from django.test import Client

from audit.models import AuditEntry
from registry import services as rs
from residents import session
from residents.services import NOT_FOUND_MESSAGE
from selfreport.models import PhoneCode

pytestmark = pytest.mark.django_db


def send(client, phone):
    return client.post("/report/code/", {"phone": phone})


def signin(client, phone, outbox, code=None):
    send(client, phone)
    return client.post("/me/signin/", {"phone": phone, "code": code or outbox.last_code(phone)})


def test_a_resident_signs_in_and_sees_their_page(resident, sms_outbox):
    client = Client()
    response = signin(client, "13812341234", sms_outbox)
    assert response.status_code == 302 and response["Location"] == "/me/"
    page = client.get("/me/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "张建国" in text and "愚园路128弄3号501室" in text and "我的家庭" in text
    assert client.session[session.PERSON_KEY] == resident.pk
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN, object_type="resident").get()
    assert entry.object_id == str(resident.pk) and "138****1234" in entry.username and entry.actor is None


def test_a_wrong_code_is_said_and_audited(resident, sms_outbox):
    client = Client()
    send(client, "13812341234")
    wrong = "000000" if sms_outbox.last_code("13812341234") != "000000" else "111111"
    response = client.post("/me/signin/", {"phone": "13812341234", "code": wrong})
    assert response.status_code == 422 and "验证码不正确" in response.content.decode()
    assert session.PERSON_KEY not in client.session
    failed = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED, object_type="resident")
    assert failed.detail["reason"] == "验证码不正确"


def test_an_expired_code_is_refused(resident, sms_outbox):
    client = Client()
    send(client, "13812341234")
    code = sms_outbox.last_code("13812341234")
    PhoneCode.objects.update(created_at=PhoneCode.objects.get().created_at.replace(year=2000))
    response = client.post("/me/signin/", {"phone": "13812341234", "code": code})
    assert response.status_code == 422 and "验证码已过期" in response.content.decode()


def test_too_many_wrong_codes_and_too_many_sends_are_429(resident, sms_outbox):
    client = Client()
    send(client, "13812341234")
    assert send(client, "13812341234").status_code == 429  # again within a minute
    code = sms_outbox.last_code("13812341234")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post("/me/signin/", {"phone": "13812341234", "code": wrong})
    response = client.post("/me/signin/", {"phone": "13812341234", "code": code})
    assert response.status_code == 429 and "错误次数过多" in response.content.decode()


def test_a_phone_not_in_the_registry_is_told_to_register(db, street, sms_outbox):
    client = Client()
    response = signin(client, "13900009999", sms_outbox)
    assert response.status_code == 404 and NOT_FOUND_MESSAGE in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED, object_type="resident").exists()


def test_a_failed_htmx_sign_in_answers_with_the_form_and_its_message(resident, sms_outbox):
    client = Client()
    send(client, "13812341234")
    response = client.post("/me/signin/", {"phone": "13812341234", "code": ""}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422 and body.startswith("{#") is False and 'id="signin-form"' in body
    assert "<html" not in body and "请填写短信验证码" in body
    ok = client.post("/me/signin/", {"phone": "13812341234", "code": sms_outbox.last_code("13812341234")},
                     HTTP_HX_REQUEST="true")
    assert ok.status_code == 204 and ok["HX-Redirect"] == "/me/"


def test_a_shared_phone_lets_the_resident_pick_themself(street, resident, household, sms_outbox):
    spouse = rs.person_create(actor=street.dispatcher, name="李秀英", phone="13812341234", household=household,
                              relation="spouse")
    client = Client()
    response = signin(client, "13812341234", sms_outbox)
    assert response["Location"] == "/me/pick/"
    page = client.get("/me/pick/").content.decode()
    assert "李**" in page and "张**" in page and "李秀英" not in page
    assert client.post("/me/pick/", {"person": "999999"}).status_code == 422
    assert client.post("/me/pick/", {"person": str(spouse.pk)})["Location"] == "/me/"
    assert client.session[session.PERSON_KEY] == spouse.pk
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN, object_id=str(spouse.pk)).exists()


def test_sign_out_and_idle_expiry(resident, sms_outbox, settings):
    client = Client()
    signin(client, "13812341234", sms_outbox)
    assert client.post("/me/signout/")["Location"] == "/me/signin/"
    assert client.get("/me/")["Location"] == "/me/signin/"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT, object_type="resident").exists()

    PhoneCode.objects.all().delete()
    signin(client, "13812341234", sms_outbox)
    s = client.session
    s[session.SEEN_KEY] = int(time.time()) - settings.RESIDENT_IDLE_SECONDS - 5
    s.save()
    response = client.get("/me/")
    assert response["Location"] == "/me/signin/"
    assert "长时间未操作" in client.get("/me/signin/").content.decode()


def test_an_anonymised_person_is_signed_out(street, resident, sms_outbox):
    from registry.retention import person_anonymise

    client = Client()
    signin(client, "13812341234", sms_outbox)
    person_anonymise(actor=street.admin, person=resident, basis="request")
    assert client.get("/me/")["Location"] == "/me/signin/"


def test_the_sign_in_form_needs_csrf(resident, sms_outbox):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/me/signin/", {"phone": "13812341234", "code": "123456"}).status_code == 403


def test_no_staff_account_is_made_and_a_deceased_person_cannot_sign_in(street, resident, sms_outbox):
    from org.models import User
    from registry.models import Person

    users = User.objects.count()
    client = Client()
    signin(client, "13812341234", sms_outbox)
    assert User.objects.count() == users and Person.objects.get(pk=resident.pk).user is None
    rs.person_update(actor=street.dispatcher, person=resident, status="deceased")
    assert client.get("/me/")["Location"] == "/me/signin/"
    PhoneCode.objects.all().delete()
    response = signin(Client(), "13812341234", sms_outbox)
    assert response.status_code == 404 and NOT_FOUND_MESSAGE in response.content.decode()


def test_the_pick_step_expires(street, resident, household, sms_outbox):
    rs.person_create(actor=street.dispatcher, name="李秀英", phone="13812341234", household=household,
                     relation="spouse")
    client = Client()
    signin(client, "13812341234", sms_outbox)
    s = client.session
    s[session.PICK_KEY] = {**s[session.PICK_KEY], "at": int(time.time()) - session.PICK_SECONDS - 1}
    s.save()
    response = client.post("/me/pick/", {"person": str(resident.pk)})
    assert response.status_code == 422 and "请先用手机号和验证码登录" in response.content.decode()
    assert session.PERSON_KEY not in client.session
