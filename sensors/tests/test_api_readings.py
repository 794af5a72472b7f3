import pytest
from django.test import Client

from cases.models import Case
from org.models import Role
from org.services import api_token_create
from org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_gateway_posts_a_reading_over_http(point):
    gateway = UserFactory(username="sensor-gateway", role=Role.SYSTEM)
    _, key = api_token_create(user=gateway)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").post(
        "/api/sensors/readings", {"point": point.code, "value": "19.2"}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["over_threshold"] is True
    assert response.json()["case_number"] == Case.objects.get().number


def test_other_roles_cannot_post_readings(point, street):
    _, key = api_token_create(user=street.handler)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").post(
        "/api/sensors/readings", {"point": point.code, "value": "19.2"}, content_type="application/json")
    assert response.status_code == 403 and Case.objects.count() == 0
