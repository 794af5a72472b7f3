"""Writes of the kpi app: the kept street-wide figures of past months (MonthlySummary), a cache the dashboard reads.

A past month's figures only change when one of its cases gets a new event; the case-event listener drops that
month (kpi/signals.py) and the next read, or the nightly task, keeps it again.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from core import clock

from .models import MonthlySummary


def monthly_summaries_keep(*, figures_by_month: dict[date, dict]) -> None:
    """Store the street-wide figures of each given (past) month, replacing what was kept."""
    with transaction.atomic():
        for month, figures in figures_by_month.items():
            MonthlySummary.objects.update_or_create(month=month, defaults={"figures": figures, "computed_at": clock.now()})
