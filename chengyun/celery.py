"""Celery app: Redis broker in production (CELERY_BROKER_URL), eager in-process tasks in the embedded default."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chengyun.settings")

app = Celery("chengyun")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _mask_personal_data(logger=None, **kwargs):
    """Celery replaces the root logger's handlers with its own at worker start: they get the masking filter too."""
    from chengyun.logfilters import install_on_existing_handlers

    install_on_existing_handlers()
