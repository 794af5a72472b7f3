from decimal import Decimal

import pytest

from cases.models import Case, CaseEvent, State
from core.errors import NotFound, ValidationFailed
from sensors.services import handle_mqtt_message, parse_payload, reading_record

pytestmark = pytest.mark.django_db


def test_a_reading_below_threshold_opens_nothing(point):
    reading = reading_record(point_code=point.code, value=Decimal("3"), channel="http")
    assert reading.over_threshold is False and Case.objects.count() == 0


def test_first_alarm_opens_one_urgent_case_dispatched_by_the_matrix(point, street):
    reading_record(point_code=point.code, value=Decimal("18.5"), channel="mqtt")
    case = Case.objects.get()
    assert case.source == "sensor" and case.urgency == "urgent" and case.state == State.DISPATCHED
    assert case.lead_department == street.department and "18.50cm" in case.content
    point.refresh_from_db()
    assert point.in_alarm and point.open_case == case


def test_repeated_alarms_append_to_the_open_case_and_normal_is_recorded(point):
    for value in ["16", "20", "22"]:
        reading_record(point_code=point.code, value=Decimal(value), channel="mqtt")
    reading_record(point_code=point.code, value=Decimal("4"), channel="mqtt")
    case = Case.objects.get()
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["register", "dispatch", "sensor_alarm", "sensor_alarm", "sensor_normal"]
    point.refresh_from_db()
    assert point.in_alarm is False and point.open_case == case


def test_after_the_case_is_closed_a_new_alarm_opens_a_new_case(point, street):
    reading_record(point_code=point.code, value=Decimal("16"), channel="mqtt")
    first = Case.objects.get()
    Case.objects.filter(pk=first.pk).update(state=State.CLOSED)
    reading_record(point_code=point.code, value=Decimal("17"), channel="mqtt")
    assert Case.objects.count() == 2


def test_payload_formats_and_errors():
    assert parse_payload(b"12.345") == (Decimal("12.35"), None)
    value, at = parse_payload(b'{"value": 20, "at": "2026-07-01T08:00:00+08:00"}')
    assert value == Decimal("20.00") and at.isoformat() == "2026-07-01T08:00:00+08:00"
    for bad in [b"abc", b'{"value": "x"}', b'{"value": 1, "at": "2026-07-01T08:00:00"}', b"NaN"]:
        with pytest.raises(ValidationFailed):
            parse_payload(bad)


def test_unknown_topic_is_ignored_and_unknown_point_is_refused(point):
    assert handle_mqtt_message("other/topic", b"10") is None
    with pytest.raises(NotFound):
        handle_mqtt_message("chengyun/sensors/NOPE/reading", b"10")
