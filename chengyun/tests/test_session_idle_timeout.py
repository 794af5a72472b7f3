"""A signed-in session ends after SESSION_IDLE_SECONDS without a request, and at browser close."""

import time

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_idle_session_is_logged_out_and_sent_to_the_login_page(street, monkeypatch):
    client = Client()
    client.force_login(street.dispatcher)
    assert client.get("/cases/").status_code == 200
    later = time.time() + settings.SESSION_IDLE_SECONDS + 5
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/cases/")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "长时间未操作" in page.content.decode()


def test_an_active_session_stays_signed_in(street, monkeypatch):
    client = Client()
    client.force_login(street.dispatcher)
    start = time.time()
    for step in range(1, 4):
        now = start + step * (settings.SESSION_IDLE_SECONDS - 60)
        monkeypatch.setattr(time, "time", lambda now=now: now)
        assert client.get("/cases/").status_code == 200


def test_sessions_are_bounded_in_settings():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600 and settings.SESSION_IDLE_SECONDS <= 3600
    assert settings.SESSION_COOKIE_HTTPONLY is True
