"""API tokens expire (API_TOKEN_LIFETIME_DAYS) and are revoked when the controls around them change."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from org.models import ApiToken
from org.services import api_token_create
from org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Jingan#Street-2026"


def works(key: str) -> bool:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/cases").status_code == 200


def revocations(user, reason):
    return AuditEntry.objects.filter(object_type="api_token", object_id=str(user.pk), detail__reason=reason)


def test_an_expired_token_gets_401_token_expired(street, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 90
    token, key = api_token_create(user=street.intake)
    ApiToken.objects.filter(pk=token.pk).update(created_at=timezone.now() - timedelta(days=89))
    assert works(key)
    ApiToken.objects.filter(pk=token.pk).update(created_at=timezone.now() - timedelta(days=91))
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/cases")
    assert response.status_code == 401 and response.json()["code"] == "token_expired"
    assert "过期" in response.json()["message"]


def test_enrolling_two_step_login_revokes_earlier_tokens(street, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    _, key = api_token_create(user=street.leader)
    client = Client()
    client.post("/login/", {"username": "t_leader", "password": PASSWORD})
    client.post("/account/otp/", {"action": "start"})
    device = TOTPDevice.objects.get(user=street.leader, confirmed=False)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post("/account/otp/", {"action": "confirm", "code": code}).status_code == 302
    assert not works(key)
    assert revocations(street.leader, "两步验证已启用").count() == 1
    # Later verifications save the device again but revoke nothing more: a token made with the code keeps working.
    device.refresh_from_db()
    device.save()
    assert revocations(street.leader, "两步验证已启用").count() == 1


def test_changing_ones_password_revokes_the_tokens(street):
    _, key = api_token_create(user=street.intake)
    client = Client()
    client.force_login(street.intake)
    response = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                  "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert not works(key)
    entry = revocations(street.intake, "密码已修改").get()
    assert entry.username == "t_intake" and len(entry.detail["tokens"]) == 1


def test_the_admin_setting_a_password_revokes_the_tokens(street):
    _, key = api_token_create(user=street.intake)
    client = Client()
    client.force_login(street.admin)
    response = client.post(f"/admin/org/user/{street.intake.pk}/password/",
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302
    assert not works(key)
    assert revocations(street.intake, "密码已修改").count() == 1


def test_set_password_anywhere_and_deactivation_revoke_the_tokens(street):
    _, key = api_token_create(user=street.intake)
    street.intake.set_password(NEW_PASSWORD)
    street.intake.save()
    assert not works(key)
    _, key = api_token_create(user=street.dispatcher)
    street.dispatcher.is_active = False
    street.dispatcher.save()
    street.dispatcher.is_active = True
    street.dispatcher.save()
    assert not works(key)  # revoked, not merely refused while the account was off
    assert revocations(street.dispatcher, "账号已停用").count() == 1


def test_a_login_that_only_touches_the_account_revokes_nothing(street):
    _, key = api_token_create(user=street.intake)
    assert Client().post("/login/", {"username": "t_intake", "password": PASSWORD}).status_code == 302
    assert works(key)
    assert not AuditEntry.objects.filter(object_type="api_token").exists()
