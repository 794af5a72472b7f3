from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .calendar import clear_cache
from .models import Holiday


@receiver([post_save, post_delete], sender=Holiday)
def _holidays_changed(**kwargs) -> None:
    clear_cache()
