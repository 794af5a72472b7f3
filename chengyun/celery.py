"""Celery app: Redis broker in production (CELERY_BROKER_URL), eager in-process tasks in the embedded default."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chengyun.settings")

app = Celery("chengyun")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
