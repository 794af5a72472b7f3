"""HTTP intake of sensor readings, for gateways that cannot speak MQTT."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from core.errors import PermissionDenied
from org.roles import SENSOR_ROLES

from .models import Reading
from .services import reading_record

router = Router(tags=["感知设备"])


class ReadingIn(Schema):
    point: str
    value: Decimal
    at: datetime | None = None


class ReadingOut(Schema):
    id: int
    point: str
    value: Decimal
    over_threshold: bool
    case_number: str | None

    @staticmethod
    def resolve_point(obj: Reading) -> str:
        return obj.point.code

    @staticmethod
    def resolve_case_number(obj: Reading) -> str | None:
        return obj.point.open_case.number if obj.point.open_case_id else None


@router.post("/readings", response={201: ReadingOut}, summary="上报传感器读数(HTTP)")
def reading_create(request: HttpRequest, payload: ReadingIn):
    if request.user.role not in SENSOR_ROLES:
        raise PermissionDenied("只有设备接入账号、派单员或管理员可以上报读数")
    reading = reading_record(point_code=payload.point, value=payload.value, measured_at=payload.at,
                             channel=Reading.Channel.HTTP)
    return Status(201, reading)
