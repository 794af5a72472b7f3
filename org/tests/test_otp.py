"""Two-step login: admins and leaders may enrol an authenticator; once enrolled, no page or token without a code."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry

pytestmark = pytest.mark.django_db
PASSWORD = "chengyun-test-pw"


@pytest.fixture(autouse=True)
def no_throttle_delay(settings):
    """django-otp waits 1, 2, 4… seconds after each wrong code; these tests follow a wrong code with a right one."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)


def password_login(user) -> Client:
    client = Client()
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def test_a_leader_enrols_with_a_qr_code_and_a_confirming_code(street):
    client = password_login(street.leader)
    page = client.post("/account/otp/", {"action": "start"})
    assert page.status_code == 200 and "<svg" in page.content.decode() and "otp-secret" in page.content.decode()
    device = TOTPDevice.objects.get(user=street.leader, confirmed=False)
    assert client.post("/account/otp/", {"action": "confirm", "code": "000000"}).status_code == 422
    response = client.post("/account/otp/", {"action": "confirm", "code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="config_change", actor=street.leader, object_type="otp_device").exists()
    assert client.get("/cases/").status_code == 200  # the confirming code counts for this session


def test_roles_without_need_cannot_enrol(street):
    client = password_login(street.handler)
    assert client.get("/account/otp/").status_code == 403
    assert not TOTPDevice.objects.exists()


def test_an_enrolled_admin_needs_the_code_after_the_password(street):
    device = enrolled(street.admin)
    client = password_login(street.admin)
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/login/otp/?next=/cases/")
    assert client.get("/admin/").status_code == 302
    api = client.get("/api/cases")
    assert api.status_code == 401 and api.json()["code"] == "otp_required"
    wrong = client.post("/login/otp/", {"code": "123456", "next": "/cases/"})
    assert wrong.status_code == 422 and "动态码不正确" in wrong.content.decode()
    right = client.post("/login/otp/", {"code": code_for(device), "next": "/cases/"})
    assert right.status_code == 302 and right["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200


def test_repeated_wrong_codes_end_the_session(street):
    enrolled(street.leader)
    client = password_login(street.leader)
    for _ in range(5):
        response = client.post("/login/otp/", {"code": "000000"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login_failed", username=street.leader.username).count() == 5


def test_an_api_token_needs_the_code_too(street):
    device = enrolled(street.leader)
    client = Client()
    body = {"username": street.leader.username, "password": PASSWORD}
    refused = client.post("/api/auth/token", body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "otp_required"
    granted = client.post("/api/auth/token", {**body, "otp": code_for(device)}, content_type="application/json")
    assert granted.status_code == 201 and granted.json()["token"].startswith("cy_")


def test_wrong_codes_slow_down_further_tries(street, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    device = enrolled(street.admin)
    client = password_login(street.admin)
    client.post("/login/otp/", {"code": "000000"})
    assert client.post("/login/otp/", {"code": code_for(device)}).status_code == 422  # right code, but too soon


def test_removing_needs_a_current_code(street):
    device = enrolled(street.leader)
    client = password_login(street.leader)
    client.post("/login/otp/", {"code": code_for(device)})
    assert client.post("/account/otp/", {"action": "remove", "code": "000000"}).status_code == 422
    assert TOTPDevice.objects.filter(user=street.leader).exists()
    device.refresh_from_db()
    assert client.post("/account/otp/", {"action": "remove", "code": code_for(device, offset=1)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=street.leader).exists()
