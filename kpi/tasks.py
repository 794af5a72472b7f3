from celery import shared_task
from django.utils import timezone

from core import clock
from org.services import system_user

from .models import MonthlySummary
from .selectors import monthly_trend


@shared_task(name="kpi.tasks.keep_monthly_summaries")
def keep_monthly_summaries() -> int:
    """Rebuild dropped past months ahead of the first dashboard view; returns how many months are kept."""
    monthly_trend(system_user(), months=12, today=timezone.localdate(clock.now()))
    return MonthlySummary.objects.count()
