from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_answers_ok_without_login():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_it_answers_503_when_the_database_is_unreachable():
    with mock.patch("ops.views.connection.cursor", side_effect=OperationalError("connection refused")):
        response = Client().get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "database_unavailable"


def test_it_only_allows_get():
    assert Client().post("/healthz").status_code == 405
