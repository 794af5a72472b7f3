"""Outbound channels (SMS, WeChat Work…). Each is a class with send(notification); settings choose them.

Only the logging channel exists for now: government intranets need the operator's own SMS gateway, which plugs in
here as another class named in NOTIFICATION_CHANNELS.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("chengyun.outbound")
# Its own logger, so development shows verification codes without every notification (settings.LOGGING).
sms_logger = logging.getLogger("chengyun.outbound.sms")


class LogChannel:
    """Writes what would be sent to the log, with the user's phone masked."""

    def send(self, notification) -> None:
        phone = notification.user.phone
        masked = f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "(无手机号)"
        logger.info("outbound to %s %s: %s", notification.user.username, masked, notification.message)


def outbound_channels() -> list:
    return [import_string(path)() for path in getattr(settings, "NOTIFICATION_CHANNELS", [])]


class LogSms:
    """Development SMS backend: writes the text to the log. A real gateway replaces it via SMS_BACKEND."""

    def send(self, phone: str, text: str) -> None:
        sms_logger.info("sms to %s****%s: %s", phone[:3], phone[-4:], text)


def sms_send(phone: str, text: str) -> None:
    import_string(getattr(settings, "SMS_BACKEND", "notifications.channels.LogSms"))().send(phone, text)
