import pytest
from django.test import Client

from org.models import ApiToken
from org.services import api_token_create
from org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_password_login_issues_a_token_that_works(street):
    response = Client().post("/api/auth/token", {"username": "t_intake", "password": PASSWORD},
                             content_type="application/json")
    assert response.status_code == 201
    key = response.json()["token"]
    assert ApiToken.objects.get(user=street.intake).key_hash != key
    listed = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/auth/tokens")
    assert listed.status_code == 200 and listed.json()[0]["last_used_at"] is not None


def test_wrong_password_is_refused(street):
    response = Client().post("/api/auth/token", {"username": "t_intake", "password": "wrong"},
                             content_type="application/json")
    assert response.status_code == 403
    assert response.json()["message"] == "用户名或密码错误"


def test_a_user_cannot_revoke_someone_elses_token(street):
    token, _ = api_token_create(user=street.dispatcher)
    _, key = api_token_create(user=street.intake)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").delete(f"/api/auth/tokens/{token.pk}")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_place_lookup_uses_the_gazetteer_and_flags_unknown_addresses(street):
    _, key = api_token_create(user=street.intake)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    found = client.get("/api/places", {"address": "上海市静安区愚园路１２０衖5号"}).json()
    assert found["found"] is True and found["neighbourhood"] == "金坛居民区" and found["matched"] == "愚园路120弄"
    assert client.get("/api/places", {"address": "愚园路900弄"}).json() == {
        "found": False, "matched": "", "estate": None, "neighbourhood_id": None, "neighbourhood": None,
        "grid_id": None, "grid": None,
    }
