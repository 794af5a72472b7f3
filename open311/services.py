"""Open311 writes: issuing API keys and turning a posted service request into a case (source 居民自报)."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from cases.models import Case, Source
from cases.services import case_register
from core.errors import ValidationFailed
from core.text import has_illegal
from org.models import Category, Role, User
from org.services import hash_key

from .models import ApiKey, ServiceAttribute, Submission


def open311_key_create(*, name: str) -> tuple[ApiKey, str]:
    key = secrets.token_hex(20)
    with transaction.atomic():
        actor = User.objects.create(
            username=f"open311-{secrets.token_hex(4)}", display_name=f"Open311:{name}", role=Role.SYSTEM, is_active=False
        )
        api_key = ApiKey.objects.create(name=name, prefix=key[:8], key_hash=hash_key(key), actor=actor)
    return api_key, key


def open311_key_check(key: str) -> ApiKey | None:
    api_key = ApiKey.objects.select_related("actor").filter(key_hash=hash_key(key or ""), is_active=True).first()
    if api_key:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    return api_key


def _decimal(value: str | None, name: str, low: int, high: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValidationFailed(f"{name} must be a number / {name} 须为数字") from None
    if not (low <= number <= high):
        raise ValidationFailed(f"{name} out of range / {name} 超出范围")
    return number.quantize(Decimal("0.000001"))


def _attributes(category: Category, posted: dict[str, list[str]]) -> dict[str, object]:
    values: dict[str, object] = {}
    for attribute in ServiceAttribute.objects.filter(category=category):
        given = [v for v in posted.get(attribute.code, []) if v != ""]
        if not given:
            if attribute.required:
                raise ValidationFailed(f"attribute[{attribute.code}] is required / 缺少必填属性:{attribute.description}")
            continue
        allowed = {str(v.get("key")) for v in attribute.values}
        if attribute.datatype in (ServiceAttribute.Datatype.SINGLE, ServiceAttribute.Datatype.MULTI):
            if any(v not in allowed for v in given):
                raise ValidationFailed(f"attribute[{attribute.code}] has an invalid value / 属性取值无效")
        values[attribute.code] = given if attribute.datatype == ServiceAttribute.Datatype.MULTI else given[0]
    return values


def open311_request_create(*, api_key: ApiKey, data: dict[str, str], attributes: dict[str, list[str]]) -> Submission:
    """POST requests: validate like the spec says (a location is required), then register the case."""
    for field, value in [*data.items(), *((f"attribute[{k}]", v) for k, vs in attributes.items() for v in vs)]:
        # The input guard refuses these before any view; checked again here for callers that aren't requests.
        if has_illegal(str(value)):
            raise ValidationFailed(f"{field} contains control characters / {field} 含有无法保存的控制字符,请删除后重试")
    category = Category.objects.filter(code=data.get("service_code", ""), parent__isnull=False).first()
    if category is None:
        raise ValidationFailed("service_code not found / 服务类别不存在")
    latitude = _decimal(data.get("lat"), "lat", -90, 90)
    longitude = _decimal(data.get("long"), "long", -180, 180)
    address = (data.get("address_string") or "").strip()[:200]
    if (latitude is None or longitude is None) and not address and not data.get("address_id"):
        raise ValidationFailed("a location is required: lat & long, address_string or address_id / 请提供位置")
    description = (data.get("description") or "").strip()
    if not description:
        raise ValidationFailed("description is required / 请描述问题")
    media_url = (data.get("media_url") or "").strip()
    if media_url and not media_url.startswith(("http://", "https://")):
        raise ValidationFailed("media_url must be an http(s) URL / 图片地址须为 http(s) 链接")
    attribute_values = _attributes(category, attributes)
    name = f"{data.get('last_name', '').strip()}{data.get('first_name', '').strip()}"[:50]
    with transaction.atomic():
        case: Case = case_register(
            actor=api_key.actor, source=Source.SELF_REPORT, title=description[:30], content=description[:5000],
            category=category, address=address, latitude=latitude, longitude=longitude,
            citizen_name=name, citizen_phone=data.get("phone", ""),
        )
        return Submission.objects.create(
            case=case, api_key=api_key, token=secrets.token_hex(16), email=(data.get("email") or "")[:200],
            device_id=(data.get("device_id") or "")[:200], account_id=(data.get("account_id") or "")[:200],
            media_url=media_url[:500], attributes=attribute_values,
        )
