"""Public and API endpoints answer 429 (in Chinese, JSON for API clients) once a client passes its rate."""

import pytest
from django.test import Client, RequestFactory

from chengyun.ratelimit import parse_rate, rate_limit_hit

pytestmark = pytest.mark.django_db


def test_rates_read_as_count_per_period():
    assert parse_rate("30/m") == (30, 60)
    assert parse_rate("5/h") == (5, 3600)
    assert parse_rate("100/10s") == (100, 10)


def test_the_public_report_page_is_limited_per_address(street, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": "3/m"}
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert client.get("/report/").status_code == 200
    limited = client.get("/report/")
    assert limited.status_code == 429 and "请求过于频繁" in limited.content.decode()
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert Client(REMOTE_ADDR="203.0.113.8").get("/report/").status_code == 200


def test_open311_and_api_answer_json_429(street, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "open311": "2/m", "api": "2/m"}
    client = Client(REMOTE_ADDR="203.0.113.9")
    for url in ("/open311/v2/services.json", "/api/categories"):
        client.get(url)
        client.get(url)
        limited = client.get(url)
        assert limited.status_code == 429, url
        assert limited.json() == {"code": "rate_limited", "message": "请求过于频繁,请稍后再试。"}


def test_password_guessing_across_accounts_from_one_address_is_limited(street, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "3/m"}
    client = Client(REMOTE_ADDR="203.0.113.10")
    for username in ("t_intake", "t_dispatcher", "t_leader"):
        assert client.post("/login/", {"username": username, "password": "guess"}).status_code == 200
    assert client.post("/login/", {"username": "t_callback", "password": "guess"}).status_code == 429
    assert client.get("/login/").status_code == 200  # only password attempts count


def test_behind_a_proxy_the_forwarded_client_is_counted(street, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": "1/m"}
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    assert proxy.get("/report/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert proxy.get("/report/", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
    # A client cannot dodge the limit by prepending its own X-Forwarded-For entries.
    assert proxy.get("/report/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1").status_code == 429


def test_the_window_resets():
    assert rate_limit_hit(group="t", key="k", rate="1/m", now=120.0) is None
    assert rate_limit_hit(group="t", key="k", rate="1/m", now=150.0) == 30
    assert rate_limit_hit(group="t", key="k", rate="1/m", now=181.0) is None


def test_a_forged_or_missing_address_is_never_stored_as_the_client(street, settings):
    from core.http import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/report/", HTTP_X_FORWARDED_FOR="not-an-address", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "10.0.0.2"
    request = RequestFactory().get("/report/", REMOTE_ADDR="")
    assert client_ip(request) is None
    response = Client(REMOTE_ADDR="").post("/api/auth/token", {"username": "t_intake", "password": "x"},
                                           content_type="application/json")
    assert response.status_code == 403  # a failed login without an address is still recorded, not a crash


def test_with_redis_down_requests_still_get_through(street, settings):
    # A Redis cache on a port where nothing listens: every count fails, the site must stay up.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": "1/m"}
    client = Client(REMOTE_ADDR="203.0.113.11")
    assert [client.get("/report/").status_code for _ in range(3)] == [200, 200, 200]
