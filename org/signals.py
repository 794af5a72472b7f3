"""Security events of accounts that go to the audit log beside the logins themselves."""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver

from audit.models import AuditEntry
from audit.services import audit_record


@receiver(user_locked_out)
def _on_locked_out(sender, request, username, ip_address, **kwargs):
    """账号锁定: recorded once, when the failure that reaches the limit locks the account (not at every later try)."""
    attempt = AccessAttempt.objects.filter(username=username).order_by("-attempt_time").first()
    if attempt is not None and attempt.failures_since_start != settings.AXES_FAILURE_LIMIT:
        return
    audit_record(action=AuditEntry.Action.LOGIN_FAILED, request=request, username=(username or "")[:150],
                 detail={"reason": "连续登录失败,账号已锁定", "failures": settings.AXES_FAILURE_LIMIT,
                         "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)})
