"""Readings in, cases out: a reading over threshold opens one case per point; repeats append to it."""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime

from cases import services as case_services
from cases.models import Source, Urgency
from core import clock
from core.errors import NotFound, ValidationFailed
from org.selectors import responsibility_for
from org.services import system_user

from .models import MonitoringPoint, Reading

# chengyun/sensors/<point code>/reading ; payload {"value": 12.5, "at": "2026-07-01T08:00:00+08:00"} or "12.5"
TOPIC_PREFIX = "chengyun/sensors"
TOPIC_RE = re.compile(rf"^{TOPIC_PREFIX}/(?P<code>[A-Za-z0-9_-]+)/reading$")


def parse_payload(payload: bytes | str) -> tuple[Decimal, datetime | None]:
    text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else payload
    text = text.strip()
    at = None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError:
        data = text
    if isinstance(data, dict):
        raw, at_text = data.get("value"), data.get("at")
        if at_text is not None:
            at = parse_datetime(str(at_text))
            if at is None or at.tzinfo is None:
                raise ValidationFailed("读数时间须为带时区的 ISO 8601 时间", details={"field": "at"})
    else:
        raw = data
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("读数须为数字", details={"field": "value"}) from None
    if not value.is_finite() or abs(value) >= Decimal("1000000"):
        raise ValidationFailed("读数超出范围", details={"field": "value"})
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), at


def reading_record(*, point_code: str, value: Decimal, measured_at: datetime | None = None, channel: str) -> Reading:
    point = MonitoringPoint.objects.filter(code=point_code, is_active=True).first()
    if point is None:
        raise NotFound(f"监测点 {point_code} 不存在或未启用")
    measured_at = measured_at or clock.now()
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    system = system_user()
    with transaction.atomic():
        point = MonitoringPoint.objects.select_for_update().get(pk=point.pk)
        over = value >= point.threshold
        reading = Reading.objects.create(point=point, value=value, measured_at=measured_at, channel=channel,
                                         over_threshold=over)
        point.last_value, point.last_reading_at = value, measured_at
        payload = {"point": point.code, "value": str(value), "threshold": str(point.threshold), "unit": point.unit,
                   "measured_at": measured_at.isoformat()}
        open_case = point.open_case if point.open_case_id and point.open_case.is_open else None
        if over and open_case is None:
            point.open_case = _open_alarm_case(point, value, system)
        elif over and open_case is not None:
            case_services.case_record_sensor(actor=system, case=open_case, alarm=True, payload=payload,
                                             note=f"{point.name}再次报警:{value}{point.unit}")
        elif not over and point.in_alarm and open_case is not None:
            case_services.case_record_sensor(actor=system, case=open_case, alarm=False, payload=payload,
                                             note=f"{point.name}恢复正常:{value}{point.unit}")
        point.in_alarm = over
        point.save()
    return reading


def _open_alarm_case(point: MonitoringPoint, value: Decimal, system):
    content = (f"{point.name}({point.address})监测读数 {value}{point.unit},超过报警阈值 {point.threshold}{point.unit},"
               f"请立即处置。")
    case = case_services.case_register(
        actor=system, source=Source.SENSOR, title=f"{point.get_kind_display()}报警:{point.name}", content=content,
        category=point.category, address=point.address, latitude=point.latitude, longitude=point.longitude,
        neighbourhood=point.neighbourhood, grid=point.grid, urgency=Urgency.URGENT,
    )
    rule = responsibility_for(point.category, case.neighbourhood)
    if rule is not None:
        case_services.case_dispatch(actor=system, case=case, lead_department=rule.lead_department,
                                    co_departments=rule.co_departments.all(), note="传感器报警自动派单")
    return case


def handle_mqtt_message(topic: str, payload: bytes) -> Reading | None:
    """One MQTT message → one reading. Unknown topics are ignored; bad payloads raise ValidationFailed."""
    match = TOPIC_RE.match(topic)
    if match is None:
        return None
    value, at = parse_payload(payload)
    return reading_record(point_code=match["code"], value=value, measured_at=at, channel=Reading.Channel.MQTT)
