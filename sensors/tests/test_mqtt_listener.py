"""The listener against the machine's real Mosquitto on 127.0.0.1:1883."""

import threading
import time
import uuid

import paho.mqtt.publish as publish
import pytest

from cases.models import Case, CaseEvent
from core.testing import service_listening
from sensors.listener import mqtt_listen
from sensors.models import Reading

pytestmark = pytest.mark.django_db(transaction=True)




def wait_for(condition, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_readings_published_to_mosquitto_open_and_update_one_case(point):
    if not service_listening(1883):
        pytest.skip("Mosquitto 未在 127.0.0.1:1883 运行")
    stop, ready = threading.Event(), threading.Event()
    outcomes: list[tuple[str, str]] = []
    worker = threading.Thread(target=mqtt_listen, kwargs=dict(
        host="127.0.0.1", port=1883, stop=stop, on_ready=ready.set,
        on_message=lambda topic, outcome: outcomes.append((topic, outcome)),
        client_id=f"chengyun-test-{uuid.uuid4().hex[:8]}"))
    worker.start()
    try:
        assert ready.wait(10), "subscription not confirmed by the broker"
        topic = f"chengyun/sensors/{point.code}/reading"
        for sent, payload in enumerate([b'{"value": 17}', b"21", b"not-a-number", b"2"], start=1):
            publish.single(topic, payload, qos=1, hostname="127.0.0.1", port=1883)
            assert wait_for(lambda n=sent: len(outcomes) >= n), (payload, outcomes)
    finally:
        stop.set()
        worker.join(10)
    assert Reading.objects.filter(point=point).count() == 3
    assert any(outcome.startswith("rejected") for _, outcome in outcomes)
    case = Case.objects.get(source="sensor")
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))[-2:] == [
        "sensor_alarm", "sensor_normal"]
