"""Security events of accounts that go to the audit log beside the logins themselves."""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from audit.services import audit_record

from .models import User


@receiver(user_locked_out)
def _on_locked_out(sender, request, username, ip_address, **kwargs):
    """账号锁定: recorded once, when the failure that reaches the limit locks the account (not at every later try)."""
    attempt = AccessAttempt.objects.filter(username=username).order_by("-attempt_time").first()
    if attempt is not None and attempt.failures_since_start != settings.AXES_FAILURE_LIMIT:
        return
    audit_record(action=AuditEntry.Action.LOGIN_FAILED, request=request, username=(username or "")[:150],
                 detail={"reason": "连续登录失败,账号已锁定", "failures": settings.AXES_FAILURE_LIMIT,
                         "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)})


# API tokens must not outlive the controls around them: a password set anywhere (修改密码, admin, changepassword),
# an account deactivated, or two-step login enrolled revokes every token the account holds.
@receiver(pre_save, sender=User)
def _note_credential_change(sender, instance: User, update_fields=None, **kwargs):
    instance._revoke_tokens_reason = None
    if instance.pk is None:
        return
    # set_password leaves the new password in _password until saved; a hash upgrade at login clears it first.
    if getattr(instance, "_password", None) is not None or (
            not instance.has_usable_password() and User.objects.filter(pk=instance.pk).exclude(
                password__startswith="!").exists()):
        instance._revoke_tokens_reason = "密码已修改"
    elif not instance.is_active and (update_fields is None or "is_active" in update_fields) and \
            User.objects.filter(pk=instance.pk, is_active=True).exists():
        instance._revoke_tokens_reason = "账号已停用"


@receiver(post_save, sender=User)
def _revoke_tokens_after_credential_change(sender, instance: User, created, **kwargs):
    reason = getattr(instance, "_revoke_tokens_reason", None)
    if reason:
        from .services import api_tokens_revoke_all

        api_tokens_revoke_all(user=instance, reason=reason)


@receiver(pre_save, sender=TOTPDevice)
def _note_device_confirmed(sender, instance: TOTPDevice, **kwargs):
    # Saved again at every verified code (drift, throttling): only the save that confirms it counts.
    instance._newly_confirmed = instance.confirmed and (
        instance.pk is None or not TOTPDevice.objects.filter(pk=instance.pk, confirmed=True).exists())


@receiver(post_save, sender=TOTPDevice)
def _revoke_tokens_after_enrolment(sender, instance: TOTPDevice, **kwargs):
    if getattr(instance, "_newly_confirmed", False):
        from .services import api_tokens_revoke_all

        api_tokens_revoke_all(user=instance.user, reason="两步验证已启用")
