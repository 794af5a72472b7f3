"""The retention job, run daily by Celery beat (settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task(name="privacy.tasks.anonymise_expired")
def anonymise_expired() -> int:
    return len(services.personal_data_anonymise_expired())
