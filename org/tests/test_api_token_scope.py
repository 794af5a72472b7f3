"""API tokens: read-only or read-write, revocable, with their last use recorded."""

import pytest
from django.test import Client

from org.models import ApiToken
from org.services import api_token_create

pytestmark = pytest.mark.django_db


def test_a_read_only_token_reads_but_cannot_change_anything(street):
    _, key = api_token_create(user=street.intake, name="大屏", scope="read")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/cases").status_code == 200
    response = client.post("/api/cases", {"source": "walk_in", "content": "路灯不亮"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "token_read_only"
    header_client = Client(HTTP_X_API_TOKEN=key)
    assert header_client.post("/api/cases", {"source": "walk_in", "content": "路灯不亮"},
                              content_type="application/json").status_code == 403


def test_a_read_write_token_registers_a_case(street):
    _, key = api_token_create(user=street.intake)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").post(
        "/api/cases", {"source": "walk_in", "content": "路灯不亮", "address": "愚园路128弄"}, content_type="application/json")
    assert response.status_code == 201


def test_the_token_endpoint_issues_the_scope_asked_for_and_lists_last_use(street):
    client = Client()
    created = client.post("/api/auth/token", {"username": "t_leader", "password": "chengyun-test-pw", "name": "报表",
                                              "scope": "read"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["scope"] == "read"
    token = Client(HTTP_AUTHORIZATION=f"Bearer {created.json()['token']}")
    listed = token.get("/api/auth/tokens").json()
    assert listed[0]["scope"] == "read" and listed[0]["last_used_at"] is not None
    invalid = client.post("/api/auth/token", {"username": "t_leader", "password": "chengyun-test-pw", "scope": "admin"},
                          content_type="application/json")
    assert invalid.status_code == 422


def test_a_revoked_token_no_longer_works(street):
    token, key = api_token_create(user=street.intake)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.delete(f"/api/auth/tokens/{token.pk}").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert client.get("/api/cases").status_code == 401
