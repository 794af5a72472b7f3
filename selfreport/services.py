"""Resident self-report: a verification code to the phone, then the case, registered like any other."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from cases import services as case_services
from cases.models import Case, Source
from core import clock
from core.errors import DomainError, ValidationFailed
from notifications.channels import sms_send
from org.models import Category, Role, User

from .models import PhoneCode

CODE_TTL = timedelta(minutes=10)
RESEND_AFTER = timedelta(seconds=60)
MAX_CODES_PER_HOUR = 5
MAX_ATTEMPTS = 5
SELF_REPORT_USERNAME = "self-report"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


def _hash(phone: str, code: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{phone}:{code}".encode()).hexdigest()


def _mobile(phone: str) -> str:
    phone = case_services.validate_phone(phone)
    if not case_services.MOBILE_RE.match(phone):
        raise ValidationFailed("请填写11位手机号,用于接收验证码", details={"field": "phone"})
    return phone


def phone_code_send(*, phone: str, ip: str | None = None) -> None:
    """发送验证码: at most one a minute and five an hour per phone (and per IP address)."""
    phone = _mobile(phone)
    now = clock.now()
    recent = PhoneCode.objects.filter(created_at__gte=now - timedelta(hours=1))
    last = recent.filter(phone=phone, created_at__gte=now - RESEND_AFTER).order_by("-created_at").first()
    if last is not None:
        # The seconds left let the page count down to the moment this limit lets the next code go.
        wait = max(1, int((last.created_at + RESEND_AFTER - now).total_seconds() + 0.999))
        raise RateLimited("验证码已发送,请 60 秒后再试", details={"retry_after": wait})
    if recent.filter(phone=phone).count() >= MAX_CODES_PER_HOUR or (
            ip and recent.filter(ip=ip).count() >= MAX_CODES_PER_HOUR * 4):
        raise RateLimited("获取验证码过于频繁,请一小时后再试")
    code = f"{secrets.randbelow(1000000):06d}"
    PhoneCode.objects.create(phone=phone, code_hash=_hash(phone, code), created_at=now, ip=ip)
    sms_send(phone, f"【城运】您的验证码是 {code},10 分钟内有效。如非本人操作请忽略。")


def phone_code_check(*, phone: str, code: str) -> PhoneCode:
    """The valid, unused code for the phone. A wrong code counts (committed) towards a limit, so it can't be guessed."""
    phone = _mobile(phone)
    now = clock.now()
    with transaction.atomic():
        latest = (PhoneCode.objects.select_for_update()
                  .filter(phone=phone, used_at__isnull=True, created_at__gte=now - CODE_TTL).first())
        if latest is None:
            raise ValidationFailed("验证码已过期或未获取,请重新获取", details={"field": "code"})
        if latest.attempts >= MAX_ATTEMPTS:
            raise RateLimited("验证码错误次数过多,请重新获取")
        matches = secrets.compare_digest(latest.code_hash, _hash(phone, (code or "").strip()))
        if not matches:
            PhoneCode.objects.filter(pk=latest.pk).update(attempts=latest.attempts + 1)
    if not matches:
        raise ValidationFailed("验证码不正确", details={"field": "code"})
    return latest


def self_report_actor() -> User:
    user, _ = User.objects.get_or_create(username=SELF_REPORT_USERNAME, defaults={
        "display_name": "居民自报(网页)", "role": Role.SYSTEM, "is_active": False})
    return user


# A public form: a resident shows the problem in a few photos; more is someone filling our disk.
MAX_PHOTOS = 6


def self_report_submit(*, phone: str, code: str, content: str, address: str, name: str = "",
                       category: Category | None = None, latitude=None, longitude=None, photos=()) -> Case:
    """The verified report becomes a case (source 居民自报) with its photos, all or nothing."""
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:  # checked first, so a refused report does not use up the code
        raise ValidationFailed(f"最多上传 {MAX_PHOTOS} 张照片", details={"field": "photos"})
    verified = phone_code_check(phone=phone, code=code)
    with transaction.atomic():
        # Used up together with the case: a failed registration leaves the code valid for a retry.
        if PhoneCode.objects.filter(pk=verified.pk, used_at__isnull=True).update(used_at=clock.now()) != 1:
            raise ValidationFailed("验证码已使用,请重新获取", details={"field": "code"})
        case = case_services.case_register(
            actor=self_report_actor(), source=Source.SELF_REPORT, title="", content=content, category=category,
            address=address, latitude=latitude, longitude=longitude, citizen_name=name, citizen_phone=phone,
        )
        for photo in photos:
            case_services.case_attach(actor=self_report_actor(), case=case, upload=photo, note="居民上传")
    return case


def self_report_status(*, number: str, phone: str) -> Case | None:
    """A case the resident may follow: the number and the phone it was reported with must both match."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not number or len(digits) < 7:
        return None
    return Case.objects.select_related("lead_department").filter(number=number.strip().upper(),
                                                                 citizen_phone=digits).first()
