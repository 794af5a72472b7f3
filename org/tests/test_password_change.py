"""Users change their own password under the policy; other sessions of the account end."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "chengyun-test-pw"


def change(client: Client, new: str):
    return client.post("/account/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})


def test_a_weak_new_password_is_refused_with_the_reason_in_chinese(street):
    client = Client()
    client.force_login(street.intake)
    response = change(client, "chengyun-street")
    assert response.status_code == 200 and "至少 3 类" in response.content.decode()
    street.intake.refresh_from_db()
    assert street.intake.check_password(PASSWORD)


def test_a_strong_password_is_set_and_other_sessions_end(street):
    client, other_device = Client(), Client()
    client.force_login(street.intake)
    other_device.force_login(street.intake)
    response = change(client, "Jingan#Street-2026")
    assert response.status_code == 302 and response["Location"] == "/account/password/done/"
    street.intake.refresh_from_db()
    assert street.intake.check_password("Jingan#Street-2026")
    assert client.get("/cases/").status_code == 200
    assert other_device.get("/cases/").status_code == 302  # logged out: the session hash no longer matches


def test_it_needs_a_login(street):
    response = Client().get("/account/password/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
