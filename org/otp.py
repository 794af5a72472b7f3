"""Two-step login (两步验证) with TOTP authenticator apps, optional for administrators and leaders.

A user who has confirmed a device must give a current code after the password before any page opens (the middleware
below), and with the password when asking for an API token. Devices are django-otp's TOTPDevice rows, whose
throttling slows down code guessing; enrolment and removal are audited as configuration changes.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from audit.services import audit_record
from core.pages import login_required

from .models import User
from .roles import OTP_ROLES

MAX_CODE_FAILURES = 5
# Paths a half-logged-in user (password given, code not yet) may reach.
OPEN_PATHS = ("/login/", "/logout/", "/static/", "/healthz")


def otp_allowed(user: User) -> bool:
    return user.is_authenticated and (user.role in OTP_ROLES or user.is_superuser)


def otp_required(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def otp_verify(user: User, code: str):
    """The user's confirmed device that accepts the code, or None."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit():
        return None
    return match_token(user, code)


def otp_device_start(*, user: User) -> TOTPDevice:
    """A fresh, unconfirmed device (replacing an earlier unconfirmed one); it counts only once a code confirms it."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


def otp_device_confirm(*, user: User, device: TOTPDevice, code: str, request: HttpRequest | None = None) -> bool:
    if not device.verify_token((code or "").strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(action=AuditEntry.Action.CONFIG_CHANGE, actor=user, request=request, object_type="otp_device",
                 object_id=device.pk, detail={"change": "两步验证已启用"})
    return True


def otp_device_remove(*, user: User, request: HttpRequest | None = None) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(action=AuditEntry.Action.CONFIG_CHANGE, actor=user, request=request, object_type="otp_device",
                 object_id=user.pk, detail={"change": "两步验证已停用"})


class OtpRequiredMiddleware:
    """Until a user with a confirmed device has given a code in this session, every page sends them to give it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not request.path.startswith(OPEN_PATHS)
                and not user.is_verified() and otp_required(user)):
            if request.path.startswith("/api/"):  # the session alone must not open the API either
                return JsonResponse({"code": "otp_required", "message": "请先完成两步验证"}, status=401)
            return redirect(f"{settings.OTP_VERIFY_URL}?next={request.get_full_path()}")
        return self.get_response(request)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """第二步:输入动态码."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if not otp_required(request.user) or request.user.is_verified():
        return redirect(next_url)
    error = ""
    status = 200
    if request.method == "POST":
        device = otp_verify(request.user, request.POST.get("code", ""))
        if device is not None:
            otp_login(request, device)
            request.session.pop("otp_failures", None)
            return redirect(next_url)
        failures = request.session.get("otp_failures", 0) + 1
        request.session["otp_failures"] = failures
        audit_record(action=AuditEntry.Action.LOGIN_FAILED, request=request, username=request.user.get_username(),
                     detail={"reason": "两步验证动态码错误"})
        if failures >= MAX_CODE_FAILURES:
            logout(request)
            messages.error(request, "动态码错误次数过多,请重新登录。")
            return redirect("login")
        error, status = "动态码不正确或已过期,请重新输入。", 422
    return render(request, "security/otp_verify.html", {"next": next_url, "error": error}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """两步验证设置: enrol an authenticator app (admins and leaders), or remove it."""
    user = request.user
    if not otp_allowed(user):
        return render(request, "403.html", {"message": "两步验证仅面向管理员和领导账号。"}, status=403)
    context: dict = {"enabled": otp_required(user)}
    status = 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "start" and not context["enabled"]:
        device = otp_device_start(user=user)
        context.update(_enrolment(device, user))
    elif action == "confirm" and not context["enabled"]:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is not None and otp_device_confirm(user=user, device=device, code=request.POST.get("code", ""),
                                                     request=request):
            otp_login(request, device)
            messages.success(request, "两步验证已启用:以后登录需输入身份验证器中的动态码。")
            return redirect("otp-setup")
        if device is not None:
            context.update(_enrolment(device, user))
        context["error"], status = "动态码不正确,请核对手机时间后重试。", 422
    elif action == "remove" and context["enabled"]:
        if otp_verify(user, request.POST.get("code", "")) is None:
            context["error"], status = "请输入当前有效的动态码以停用两步验证。", 422
        else:
            otp_device_remove(user=user, request=request)
            messages.success(request, "两步验证已停用。")
            return redirect("otp-setup")
    return render(request, "security/otp_setup.html", context, status=status)


def _enrolment(device: TOTPDevice, user: User) -> dict:
    """The QR code (inline SVG, no external service sees the secret) and the secret for typing in by hand."""
    return {"device": device, "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4),
            "secret": base64.b32encode(device.bin_key).decode().rstrip("=")}
