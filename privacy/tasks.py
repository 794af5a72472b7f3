"""The retention job, run daily by Celery beat (settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task(name="privacy.tasks.anonymise_expired")
def anonymise_expired() -> int:
    return len(services.personal_data_anonymise_expired())


@shared_task(name="privacy.tasks.registry_retention")
def registry_retention() -> int:
    """社区底册: persons moved out or deceased longer than their retention period are anonymised."""
    from registry.retention import registry_retention_sweep

    return len(registry_retention_sweep())
