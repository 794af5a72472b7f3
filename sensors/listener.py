"""The MQTT worker: subscribes to chengyun/sensors/+/reading and records each reading.

Kept apart from the command so tests can run it in a thread against the real broker.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import paho.mqtt.client as mqtt
from django.db import close_old_connections

from core.errors import DomainError

from .services import TOPIC_PREFIX, handle_mqtt_message

logger = logging.getLogger(__name__)
SUBSCRIPTION = f"{TOPIC_PREFIX}/+/reading"


def mqtt_listen(
    *, host: str, port: int, stop: threading.Event, on_ready: Callable[[], None] | None = None,
    on_message: Callable[[str, str], None] | None = None, client_id: str = "chengyun-listener",
) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)

    def connected(client, userdata, flags, reason_code, properties):
        # QoS 1 with a persistent session: readings published while we were down are delivered on reconnect.
        client.subscribe(SUBSCRIPTION, qos=1)

    def subscribed(client, userdata, mid, reason_codes, properties):
        if on_ready:
            on_ready()

    def message(client, userdata, msg):
        close_old_connections()
        try:
            reading = handle_mqtt_message(msg.topic, msg.payload)
            outcome = "ignored" if reading is None else f"recorded {reading.value}"
        except DomainError as exc:
            outcome = f"rejected: {exc.message}"
            logger.warning("MQTT %s rejected: %s", msg.topic, exc.message)
        except Exception:  # one bad message must not stop the worker
            outcome = "error"
            logger.exception("MQTT message on %s failed", msg.topic)
        if on_message:
            on_message(msg.topic, outcome)

    client.on_connect, client.on_subscribe, client.on_message = connected, subscribed, message
    client.connect(host, port, keepalive=30)
    client.loop_start()
    try:
        stop.wait()
    finally:
        client.loop_stop()
        client.disconnect()
        close_old_connections()
