"""Every page carries the security headers; attachment downloads keep their own stricter policy."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_carry_csp_frame_and_sniffing_headers(street):
    client = Client()
    for url in ("/login/", "/report/", "/api/openapi.json", "/open311/v2/services.json"):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "default-src 'self'" in csp, url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert "microphone=()" in response["Permissions-Policy"], url


def test_login_form_is_protected_by_csrf(street):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "t_dispatcher", "password": "chengyun-test-pw"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
