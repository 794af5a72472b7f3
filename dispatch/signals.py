"""Hooks into the case workflow without touching it: each 派单 records its outcome against the suggestion,
each 受理 may be auto-dispatched (when configured), and organisation changes refresh the in-memory snapshot."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from cases.models import CaseEvent
from org.models import AddressRange, Category, Department, Estate, Grid, Neighbourhood, ResponsibilityRule, Role

logger = logging.getLogger(__name__)


@receiver(post_save, sender=CaseEvent, dispatch_uid="dispatch.case_event")
def on_case_event(sender, instance: CaseEvent, created: bool, **kwargs) -> None:
    if not created:
        return
    from . import services

    if instance.action == "dispatch":
        try:
            with transaction.atomic():  # a failed record must never undo the dispatch itself
                services.dispatch_outcome_record(event=instance, automatic=instance.actor.role == Role.SYSTEM)
        except Exception:
            logger.exception("recording the dispatch outcome of case %s failed", instance.case_id)
    elif instance.action == "register" and settings.DISPATCH_AUTO_CONFIDENCE is not None:
        case = instance.case
        transaction.on_commit(lambda: services.case_auto_dispatch(case=case))


def _forget(sender, **kwargs) -> None:
    from .snapshot import reset_caches

    reset_caches(keep_classifier=True)


from .models import Landmark  # noqa: E402

for _model in (AddressRange, Category, Department, Estate, Grid, Neighbourhood, ResponsibilityRule, Landmark):
    post_save.connect(_forget, sender=_model, dispatch_uid=f"dispatch.forget.{_model.__name__}")
    post_delete.connect(_forget, sender=_model, dispatch_uid=f"dispatch.forget.del.{_model.__name__}")
m2m_changed.connect(_forget, sender=ResponsibilityRule.co_departments.through, dispatch_uid="dispatch.forget.co")
