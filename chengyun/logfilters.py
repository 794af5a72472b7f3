"""A logging filter that keeps citizens' phones and ID numbers, and Open311 API keys, out of every log.

Access logs carry query strings (`/cases/?q=13812345678`), error logs the arguments of a failed call. The filter
formats each record once, masks the text with cases.policy.mask_public_text (the one masking function, as for the
public, since logs leave the application; imported when first needed, so settings can name this filter before the
apps are loaded) and replaces `api_key=…` values.
It is installed on every handler of settings.LOGGING, and, from OpsConfig.ready, on handlers configured outside
Django (gunicorn's access and error logs) and on Celery's once Celery has set up its own.
"""

from __future__ import annotations

import logging
import re

_API_KEY = re.compile(r"(?i)(api[_-]?key[\"']?\s*[=:]\s*[\"']?)[^&\s\"',;]+")


def mask_log_message(text: str) -> str:
    from cases.policy import mask_public_text

    return mask_public_text(_API_KEY.sub(r"\1***", text))


class PersonalDataFilter(logging.Filter):
    """Rewrites record.msg to the masked, formatted message (args emptied); never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_personal_data_masked", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler's own error reporting
            return True
        masked = mask_log_message(message)
        if masked != message or record.args:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:  # a traceback quotes the failing call's values: mask it too
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_log_message(record.exc_text)
        record._personal_data_masked = True
        return True


def _filtered(handler: logging.Handler) -> bool:
    return any(isinstance(f, PersonalDataFilter) for f in handler.filters)


def install_on_existing_handlers() -> int:
    """Add the filter to every handler of every logger that lacks it (gunicorn, anything set up before Django)."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    installed = 0
    for logger in loggers:
        for handler in logger.handlers:
            if not _filtered(handler):
                handler.addFilter(PersonalDataFilter())
                installed += 1
    return installed
