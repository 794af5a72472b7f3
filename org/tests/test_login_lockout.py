"""Failed logins lock the account (django-axes): the web form, the admin and the API token endpoint alike."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client

from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "chengyun-test-pw"


def fail(client: Client, username: str, times: int):
    """Post a wrong password `times` times; all but a locking last one show the form's error again."""
    for _ in range(times):
        response = client.post("/login/", {"username": username, "password": "wrong-password"})
        assert response.status_code == 429 or "用户名或密码不正确" in response.content.decode()
    return response


def test_five_failures_lock_the_account_even_with_the_right_password(street, settings):
    client = Client()
    assert fail(client, "t_dispatcher", settings.AXES_FAILURE_LIMIT - 1).status_code == 200
    locked = fail(client, "t_dispatcher", 1)
    assert locked.status_code == 429 and "账号已临时锁定" in locked.content.decode()
    again = client.post("/login/", {"username": "t_dispatcher", "password": PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login_failed", username="t_dispatcher").count() >= settings.AXES_FAILURE_LIMIT
    locks = AuditEntry.objects.filter(username="t_dispatcher", detail__reason="连续登录失败,账号已锁定")
    assert locks.count() == 1  # once, although the attempt during the lock-out failed again


def test_the_lock_is_per_account_and_other_users_still_log_in(street, settings):
    assert fail(Client(), "t_dispatcher", settings.AXES_FAILURE_LIMIT).status_code == 429
    other = Client()
    response = other.post("/login/", {"username": "t_intake", "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in other.session


def test_a_success_before_the_limit_resets_the_count(street, settings):
    client = Client()
    fail(client, "t_dispatcher", settings.AXES_FAILURE_LIMIT - 1)
    assert client.post("/login/", {"username": "t_dispatcher", "password": PASSWORD}).status_code == 302
    client.logout()
    fail(client, "t_dispatcher", settings.AXES_FAILURE_LIMIT - 1)
    assert client.post("/login/", {"username": "t_dispatcher", "password": PASSWORD}).status_code == 302


def test_the_api_token_endpoint_counts_and_answers_locked_out_in_json(street, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/api/auth/token", {"username": "t_intake", "password": "nope"}, content_type="application/json")
        assert response.status_code == 403 and response.json()["code"] == "invalid_credentials"
    response = client.post("/api/auth/token", {"username": "t_intake", "password": "nope"}, content_type="application/json")
    assert response.status_code == 429 and response.json()["code"] == "locked_out"
    response = client.post("/api/auth/token", {"username": "t_intake", "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 429 and "锁定" in response.json()["message"]


def test_the_lock_ends_after_the_cool_off(street, settings):
    fail(Client(), "t_dispatcher", settings.AXES_FAILURE_LIMIT)
    last = AccessAttempt.objects.get().attempt_time
    AccessAttempt.objects.update(attempt_time=last - settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    client = Client()
    assert client.post("/login/", {"username": "t_dispatcher", "password": PASSWORD}).status_code == 302
