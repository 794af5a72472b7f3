"""Cross-cutting protections: the client's address, security headers, idle-session expiry and lock-out pages.

Each piece is small and wired in settings.py; the policies (limits, timeouts) are settings read from the environment.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from core.http import wants_json


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """django-axes calls this when too many failed logins lock an account (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = f"登录失败次数过多,账号已临时锁定,请 {minutes} 分钟后再试,或联系管理员解锁。"
    if wants_json(request):
        return JsonResponse({"code": "locked_out", "message": message}, status=429)
    return render(request, "security/locked_out.html", {"message": message}, status=429)


def rate_limited_response(request: HttpRequest, exception=None) -> HttpResponse:
    """429 for a client over its rate limit (chengyun/ratelimit.py)."""
    message = "请求过于频繁,请稍后再试。"
    if wants_json(request):
        return JsonResponse({"code": "rate_limited", "message": message}, status=429)
    return render(request, "security/rate_limited.html", {"message": message}, status=429)


class SecurityHeadersMiddleware:
    """Headers Django 5.2 does not set itself: a Content-Security-Policy and a Permissions-Policy.

    The policy keeps scripts, styles, frames and forms on our own origin; scripts come only from static files (no
    inline scripts or handlers, chengyun/tests/test_no_inline_scripts.py). A view that already set its own CSP
    (attachment downloads) keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class SessionIdleTimeoutMiddleware:
    """Logs a signed-in user out after SESSION_IDLE_SECONDS without a request (登录连接超时自动退出).

    SESSION_COOKIE_AGE caps a session's whole life; this caps the idle time. The last-seen time is written at most
    once a minute so an active session does not cost a database write per request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        # request.user here is the session's user: a token request without a session cookie is anonymous and
        # not concerned; the API's cookie sessions are held to the same idle limit as the pages.
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get("last_seen")
            if last_seen is not None and now - int(last_seen) > settings.SESSION_IDLE_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    if _has_api_token(request):  # the session is gone; the token is judged on its own
                        return self.get_response(request)
                    return JsonResponse({"code": "session_expired", "message": IDLE_MESSAGE}, status=401)
                messages.warning(request, IDLE_MESSAGE)
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now - int(last_seen) >= 60:
                request.session["last_seen"] = now
        return self.get_response(request)


IDLE_MESSAGE = "长时间未操作,已自动退出登录,请重新登录。"


def _has_api_token(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ") or bool(request.headers.get("X-API-Token"))
