"""Writes on the organisation: users and the system actor."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from core.errors import PermissionDenied, TokenExpired, ValidationFailed

from .models import ApiToken, Role, User

SYSTEM_USERNAME = "system"


def system_user() -> User:
    """The actor of automatic events (SLA sweep, auto-dispatch, sensor alarms)."""
    user, _ = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"display_name": "系统", "role": Role.SYSTEM, "is_active": False},
    )
    return user


def api_token_create(*, user: User, name: str = "", scope: str = ApiToken.Scope.WRITE) -> tuple[ApiToken, str]:
    """A new token for the user; returns the row and the clear key, which is never stored."""
    if scope not in ApiToken.Scope.values:
        raise ValidationFailed("令牌权限范围只能是 read 或 write", details={"field": "scope"})
    key = "cy_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:80], prefix=key[:10], key_hash=hash_key(key), scope=scope)
    return token, key


def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    if token.user_id != user.pk and user.role != Role.ADMIN:
        raise PermissionDenied("只能吊销自己的令牌")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every active token of the user (TOTP enrolled, password changed or reset, account deactivated);
    one audit entry for the event when any token was revoked. Returns how many were."""
    from audit.models import AuditEntry
    from audit.services import audit_record

    with transaction.atomic():
        active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        prefixes = list(active.values_list("prefix", flat=True))
        if not prefixes:
            return 0
        active.update(revoked_at=timezone.now())
        audit_record(action=AuditEntry.Action.CONFIG_CHANGE, username=user.get_username(), object_type="api_token",
                     object_id=user.pk, detail={"change": "令牌已全部吊销", "reason": reason, "tokens": prefixes})
    return len(prefixes)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def api_token_authenticate(key: str, *, method: str = "GET") -> User | None:
    """The active user behind a key, touching last_used_at at most once a minute.

    A read-only token used for a request that changes something is refused (PermissionDenied, 403), not ignored.
    """
    if not key or not key.startswith("cy_"):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    if timezone.now() >= token.expires_at:
        raise TokenExpired("令牌已过期,请重新申请令牌")
    if token.scope == ApiToken.Scope.READ and method.upper() not in SAFE_METHODS:
        raise PermissionDenied("只读令牌不能执行修改操作", code="token_read_only")
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def hash_key(key: str) -> str:
    """How API keys and tokens are stored: only this digest, never the key."""
    return hashlib.sha256(key.encode()).hexdigest()
