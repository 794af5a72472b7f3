"""Periodic work on cases, run by Celery beat in production and in-process in the embedded default."""

from celery import shared_task

from . import services


@shared_task(name="cases.tasks.sla_sweep")
def sla_sweep() -> dict[str, int]:
    return services.sla_sweep()
