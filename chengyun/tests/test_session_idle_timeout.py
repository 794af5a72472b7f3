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


@pytest.mark.parametrize("path", ["/cases/", "/api/cases"])
def test_an_active_session_stays_signed_in_on_pages_and_the_api(street, monkeypatch, path):
    client = Client()
    client.force_login(street.dispatcher)
    start = time.time()
    for step in range(1, 4):
        now = start + step * (settings.SESSION_IDLE_SECONDS - 60)
        monkeypatch.setattr(time, "time", lambda now=now: now)
        assert client.get(path).status_code == 200


def test_sessions_are_bounded_in_settings():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600 and settings.SESSION_IDLE_SECONDS <= 3600
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_an_idle_cookie_session_calling_the_api_gets_401_and_the_session_ends(street, monkeypatch):
    client = Client()
    client.force_login(street.dispatcher)
    assert client.get("/api/cases").status_code == 200
    later = time.time() + settings.SESSION_IDLE_SECONDS + 5
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/api/cases")
    assert response.status_code == 401 and response.json()["code"] == "session_expired"
    assert "长时间未操作" in response.json()["message"]
    assert "_auth_user_id" not in client.session
    assert client.get("/api/cases").status_code == 401  # still signed out a moment later


def test_a_token_request_with_an_idle_session_cookie_ends_the_session_and_uses_the_token(street, monkeypatch):
    from org.services import api_token_create

    _, key = api_token_create(user=street.dispatcher)
    client = Client()
    client.force_login(street.dispatcher)
    assert client.get("/cases/").status_code == 200
    later = time.time() + settings.SESSION_IDLE_SECONDS + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/api/cases", HTTP_AUTHORIZATION="Bearer cy_made-up").status_code == 401
