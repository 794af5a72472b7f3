"""Drop the cached Holiday overrides whenever a row changes.

QuerySet.update() and bulk_create() send no signals: call ``workdays.calendar.invalidate_overrides()`` after them
(other processes pick changes up within ``OVERRIDE_CACHE_SECONDS`` anyway).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .calendar import invalidate_overrides
from .models import Holiday


@receiver([post_save, post_delete], sender=Holiday, dispatch_uid="workdays_holiday_changed")
def _holidays_changed(using: str = "default", **kwargs) -> None:
    invalidate_overrides()
    # Again after commit, so a read made by another thread before the commit cannot stay cached.
    transaction.on_commit(invalidate_overrides, using=using)
