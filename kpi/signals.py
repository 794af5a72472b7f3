"""Drop a month's kept aggregates when one of its cases changes."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from cases.models import CaseEvent
from cases.signals import cases_registered_in_bulk

from .models import MonthlySummary


def month_of(moment) -> object:
    return timezone.localtime(moment).date().replace(day=1)


@receiver(post_save, sender=CaseEvent, dispatch_uid="kpi-summary-on-event")
def drop_summary_on_event(sender, instance: CaseEvent, created: bool, **kwargs) -> None:
    if created:
        MonthlySummary.objects.filter(month=month_of(instance.case.registered_at)).delete()


@receiver(cases_registered_in_bulk, dispatch_uid="kpi-summary-on-bulk")
def drop_summary_on_bulk(sender, registered_at, **kwargs) -> None:
    tz = timezone.get_current_timezone()  # once, not per case: an import sends thousands
    months = {moment.astimezone(tz).date().replace(day=1) for moment in registered_at}
    MonthlySummary.objects.filter(month__in=months).delete()
