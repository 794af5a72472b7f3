"""KPI API: definitions, tables by group, rankings and period-over-period change."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from . import selectors
from .definitions import KPIS


def _kpi_reader(request: HttpRequest) -> None:
    selectors.check_kpi_reader(request.user)  # 403, recorded by the denial middleware


router = Router(tags=["考核指标"])
Group = Literal["department", "neighbourhood", "grid", "category", "category_parent", "source"]


class Period(Schema):
    start: date
    end: date
    group_by: Group | None = None


def _checked(period: Period) -> Period:
    selectors.check_period(period.start, period.end)
    return period


@router.get("/definitions", summary="指标定义")
def definitions(request: HttpRequest):
    _kpi_reader(request)
    return [{"code": k.code, "name": k.name, "definition": k.definition, "rate": k.unit == "rate", "unit": k.unit} for k in KPIS]


@router.get("/table", summary="指标表(可分组)")
def table(request: HttpRequest, period: Query[Period]):
    _kpi_reader(request)
    period = _checked(period)
    return selectors.kpi_compare(request.user, start=period.start, end=period.end, group_by=period.group_by)


@router.get("/ranking", summary="排名(全街道汇总,只含指标不含工单)")
def ranking(request: HttpRequest, period: Query[Period], kpi: str = "satisfied"):
    _kpi_reader(request)
    period = _checked(period)
    return selectors.kpi_ranking(request.user, start=period.start, end=period.end, kpi=kpi,
                                 group_by=period.group_by or "department", street_wide=True)
