"""Writing audit entries; the only way rows get into the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from core.http import client_ip

from .models import AuditEntry


def audit_record(
    *, action: str, actor=None, request: HttpRequest | None = None, object_type: str = "", object_id: Any = "",
    detail: dict | None = None, username: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        username=username or (actor.get_username() if actor is not None and actor.is_authenticated else ""),
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
        ip=client_ip(request) if request is not None else None,  # behind TRUSTED_PROXY_COUNT proxies: the client
    )


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    audit_record(action=AuditEntry.Action.LOGIN, actor=user, request=request)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditEntry.Action.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(action=AuditEntry.Action.LOGIN_FAILED, request=request, username=str(credentials.get("username", ""))[:150])
