from celery import shared_task

from .services import notification_deadline_sweep


@shared_task(name="notifications.tasks.deadline_sweep")
def deadline_sweep() -> int:
    return notification_deadline_sweep()
