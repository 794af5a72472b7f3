from django.db.models.signals import post_save
from django.dispatch import receiver

from cases.models import CaseEvent

from .services import notification_create_for_event


@receiver(post_save, sender=CaseEvent)
def _on_case_event(sender, instance: CaseEvent, created: bool, **kwargs) -> None:
    # Inside the event's transaction: the notification exists exactly when the event does.
    if created:
        notification_create_for_event(event=instance)
