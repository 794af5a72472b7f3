"""The database connection dropping in the middle of a case action: a clean Chinese error (503, no traceback), the
transaction rolled back (case unchanged, no orphan event), and the next request served on a new connection."""

from __future__ import annotations

import contextlib

import pytest
from django.db import OperationalError, connection
from django.test import Client

from cases.models import Case, CaseEvent
from org.services import api_token_create

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def connection_dies_at_the_event_insert(*, real: bool):
    """When the action writes its event (the case row is already updated in the same transaction) the connection
    goes: on PostgreSQL `real` terminates the backend from another session (pg_terminate_backend), otherwise the
    statement fails as a dropped connection does."""
    fired = []

    def wrapper(execute, sql, params, many, context):
        if not fired and sql.lstrip().upper().startswith("INSERT") and '"cases_caseevent"' in sql:
            fired.append(sql)
            if real:
                import psycopg

                from core.db import pg_params

                pid = context["connection"].connection.info.backend_pid
                with psycopg.connect(**pg_params({**connection.settings_dict, "NAME": "postgres"}),
                                     autocommit=True) as admin:
                    admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            else:
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield fired


MODES = [pytest.param(False, id="simulated"), pytest.param(True, id="pg_terminate_backend")]


def _skip_unless_possible(real: bool) -> None:
    if real and connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL")


def _unchanged(case: Case) -> None:
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.version, fresh.lead_department_id) == (case.state, case.version, None)
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["register"]
    assert not CaseEvent.objects.exclude(case__in=Case.objects.all()).exists()


@pytest.mark.parametrize("real", MODES)
def test_api_action_when_the_connection_drops(street, real):
    _skip_unless_possible(real)
    case = street.new_case()
    _, key = api_token_create(user=street.dispatcher)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", raise_request_exception=False)
    with connection_dies_at_the_event_insert(real=real) as fired:
        response = client.post(f"/api/cases/{case.pk}/dispatch", {"lead_department_id": street.department.pk},
                               content_type="application/json")
    assert fired
    assert response.status_code == 503, response.content[:500]
    body = response.json()
    assert body["code"] == "database_unavailable" and "数据库" in body["message"]
    assert "Traceback" not in response.content.decode() and "psycopg" not in response.content.decode()
    _unchanged(case)
    # The next request gets a fresh connection and succeeds.
    response = client.post(f"/api/cases/{case.pk}/dispatch", {"lead_department_id": street.department.pk},
                           content_type="application/json")
    assert response.status_code == 200, response.content[:500]
    assert Case.objects.get(pk=case.pk).state == "dispatched"


@pytest.mark.parametrize("real", MODES)
def test_page_action_when_the_connection_drops(street, real):
    _skip_unless_possible(real)
    case = street.new_case()
    client = Client(raise_request_exception=False)
    client.force_login(street.dispatcher)
    with connection_dies_at_the_event_insert(real=real) as fired:
        response = client.post(f"/cases/{case.pk}/act/dispatch/", {"lead_department_id": street.department.pk})
    assert fired
    assert response.status_code == 503
    page = response.content.decode()
    assert "数据库" in page and "未保存" in page and "Traceback" not in page
    _unchanged(case)
    response = client.post(f"/cases/{case.pk}/act/dispatch/", {"lead_department_id": street.department.pk})
    assert response.status_code in (200, 302)
    assert Case.objects.get(pk=case.pk).state == "dispatched"


@pytest.mark.parametrize("path", ["/cases/", "/api/cases"])
def test_database_gone_before_the_view_is_a_clean_503_too(street, path):
    """Every query fails (the database is down): the session and the user cannot even be loaded."""
    _, key = api_token_create(user=street.dispatcher)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", raise_request_exception=False)
    client.force_login(street.dispatcher)

    def down(execute, sql, params, many, context):
        raise OperationalError("could not connect to server: Connection refused")

    with connection.execute_wrapper(down):
        response = client.get(path)
    assert response.status_code == 503 and response["Retry-After"]
    text = response.content.decode()
    assert "数据库暂时无法连接" in text and "Traceback" not in text and "Connection refused" not in text
    if path.startswith("/api/"):
        assert response.json()["code"] == "database_unavailable"
    assert client.get(path).status_code == 200


def test_any_other_server_error_is_still_the_generic_500_page(rf):
    from chengyun.faults import server_error

    try:
        raise RuntimeError("bug")
    except RuntimeError:
        response = server_error(rf.get("/cases/"))
    assert response.status_code == 500 and "系统出错了" in response.content.decode()
