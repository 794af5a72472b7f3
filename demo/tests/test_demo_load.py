"""The demo street: accounts, every state present, consistent histories, idempotent and deterministic."""

import hashlib
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from cases.models import Case, CaseEvent, State
from demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_load
from org.models import Grid, Neighbourhood, Role

pytestmark = pytest.mark.django_db


NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        result = demo_load(seed=7, cases=400, now=NOW)
        digest = _digest()
    yield result, digest
    with django_db_blocker.unblock():
        call_command("flush", "--noinput")


def _digest() -> str:
    rows = Case.objects.order_by("number").values_list("number", "title", "state", "registered_at")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def test_every_demo_account_logs_in_with_its_role_and_scope(loaded):
    for username, _, role, _scope in DEMO_ACCOUNTS:
        user = authenticate(RequestFactory().post("/login/"), username=username, password=DEMO_PASSWORD)
        assert user is not None and user.role == role, username
        if role == Role.HANDLER:
            assert user.department is not None
    assert authenticate(RequestFactory().post("/login/"), username="handler_cg", password=DEMO_PASSWORD).department.name == "静安寺城管中队"
    assert authenticate(RequestFactory().post("/login/"), username="grid", password=DEMO_PASSWORD).grid is not None


def test_the_street_is_realistic(loaded):
    assert Neighbourhood.objects.count() == 16 and Grid.objects.count() == 30


def test_every_state_has_cases_today(loaded):
    present = set(Case.objects.values_list("state", flat=True))
    assert present == set(State.values)


def test_every_history_is_a_consistent_chain(loaded):
    events = CaseEvent.objects.order_by("case_id", "at", "id").values_list("case_id", "action", "from_state", "to_state")
    by_case: dict[int, list] = {}
    for case_id, action, from_state, to_state in events:
        by_case.setdefault(case_id, []).append((action, from_state, to_state))
    states = dict(Case.objects.values_list("id", "state"))
    for case_id, chain in by_case.items():
        assert chain[0][0] == "register", case_id
        for previous, current in zip(chain, chain[1:], strict=False):
            assert current[1] == previous[2], (case_id, previous, current)
        assert chain[-1][2] == states[case_id]


def test_the_three_unsatisfied_cases_of_seed_000_are_there(loaded):
    for phrase in ["落水管", "合用的厨房", "窗户被改成了门"]:
        case = Case.objects.get(content__contains=phrase)
        callbacks = case.events.filter(action="callback")
        assert callbacks.first().payload["satisfaction"] == "unsatisfied"
        assert case.events.filter(action="reopen").exists()


def test_loading_again_changes_nothing(loaded):
    before = (Case.objects.count(), CaseEvent.objects.count())
    assert demo_load(seed=7, cases=400, now=NOW)["skipped"] is True
    assert (Case.objects.count(), CaseEvent.objects.count()) == before


def test_the_same_seed_gives_the_same_street(loaded):
    _, digest = loaded
    call_command("flush", "--noinput")
    demo_load(seed=7, cases=400, now=NOW)
    assert _digest() == digest


# --- waterlogging sensors (issue 16, broken #8) ---------------------------------------------------------------


def test_the_street_has_its_waterlogging_points_and_a_season_of_readings(loaded):
    from sensors.models import MonitoringPoint, Reading

    points = {p.code: p for p in MonitoringPoint.objects.select_related("neighbourhood", "category")}
    assert len(points) == 8 and all(p.kind == "waterlogging" and p.is_active for p in points.values())
    assert points["JAS-JS-01"].name == "愚园新村(易积水小区)" and points["JAS-JS-01"].neighbourhood.code == "JT"
    assert {p.threshold for p in points.values()} == {10, 15, 20} and {p.category.name for p in points.values()} == {"道路积水"}
    assert all(p.neighbourhood_id and p.grid_id and p.latitude for p in points.values())
    months = {timezone.localtime(at).month for at in Reading.objects.values_list("measured_at", flat=True)}
    assert months == {6, 7, 8, 9}
    assert Reading.objects.filter(point=points["JAS-JS-02"]).count() == 122 * 12  # every 2 hours, June–September
    assert not any(p.in_alarm for p in points.values()) and all(p.last_reading_at for p in points.values())


def test_past_storms_opened_alarm_cases_through_the_sensor_path(loaded):
    from sensors.models import MonitoringPoint, Reading

    alarmed = MonitoringPoint.objects.filter(open_case__isnull=False).select_related("open_case")
    assert sorted(p.code for p in alarmed) == ["JAS-JS-01", "JAS-JS-03", "JAS-JS-05"]
    for point in alarmed:
        case = point.open_case
        assert case.source == "sensor" and case.urgency == "urgent" and case.state == State.CLOSED
        assert case.title == f"积水报警:{point.name}" and case.lead_department.name == "静安区绿化市容所"
        actions = list(case.events.values_list("action", flat=True))
        assert actions.count("sensor_alarm") == 2 and "sensor_normal" in actions
        over = Reading.objects.filter(point=point, over_threshold=True)
        assert over.count() == 3 and over.order_by("measured_at").first().measured_at == case.registered_at


def test_simulate_sensors_on_the_demo_opens_a_live_waterlogging_case(loaded, monkeypatch):
    from sensors.models import MonitoringPoint
    from sensors.services import handle_mqtt_message

    published = []

    def deliver(topic, payload, **kwargs):  # the broker and mqtt_listen, in-process
        published.append(topic)
        handle_mqtt_message(topic, payload.encode())

    monkeypatch.setattr("paho.mqtt.publish.single", deliver)
    before = Case.objects.filter(source="sensor").count()
    call_command("simulate_sensors", "--point", "JAS-JS-08", "--steps", "6", "--interval", "0", stdout=StringIO())
    assert published == ["chengyun/sensors/JAS-JS-08/reading"] * 6
    point = MonitoringPoint.objects.get(code="JAS-JS-08")
    case = point.open_case
    assert Case.objects.filter(source="sensor").count() == before + 1
    assert case.title == "积水报警:万航渡路下穿通道(万航渡路120弄口)" and case.state == State.DISPATCHED
    assert case.urgency == "urgent" and "超过报警阈值 20.00cm" in case.content
    assert "sensor_normal" in case.events.values_list("action", flat=True)  # the storm drained at the end
