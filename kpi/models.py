"""Kept aggregates: the street-wide figures of past 受理 months, so the 12-month trend doesn't rescan a year."""

from __future__ import annotations

from django.db import models


class MonthlySummary(models.Model):
    """Street-wide KPI aggregates (every numerator and denominator) of the cases registered in one month.

    Dropped as soon as any case of that month changes (a CaseEvent, or a bulk registration) and rebuilt on the
    next read, so a stored month is never stale. The current and previous months are always computed live."""

    month = models.DateField("受理月份", unique=True)
    figures = models.JSONField("汇总数据")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = verbose_name_plural = "月度指标汇总"

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
