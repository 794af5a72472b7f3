"""走访覆盖: planned vs done per 居民区 and visitor, overdue plans, never visited in N months, visits by outcome —
scoped to the reader, in a bounded number of queries whatever the number of households."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minqing.models import Visit
from minqing.selectors import coverage

from . import visit_factories as f

pytestmark = pytest.mark.django_db


def world(street):
    a = f.household(street)
    b = f.household(street, "愚园路120弄3号202室", head="李建华")
    c = f.household(street, "愚园路120弄3号203室", head="赵国庆")
    outsider = f.household(street, "康定路5号101室", nb=street.other_neighbourhood, head="钱多多")
    old = f.visit(street, c, outcome="absent")
    Visit.objects.filter(pk=old.pk).update(visited_on=f.today() - timedelta(days=400))  # long ago
    plan = f.plan(street, households=[a, b])
    overdue = f.plan(street, households=[c], starts_on=f.today() - timedelta(days=40),
                     due_on=f.today() - timedelta(days=10), title="上月计划")
    f.visit(street, a)
    f.visit(street, b, outcome="refused", actor=street.grid_user)
    return dict(a=a, b=b, c=c, outsider=outsider, plan=plan, overdue=overdue)


def test_by_neighbourhood_counts(street):
    w = world(street)
    period = coverage.default_period(months=12)
    period.start = f.today() - timedelta(days=5)
    rows = {r["neighbourhood"]: r for r in coverage.by_neighbourhood(street.dispatcher, period)}
    jt = rows["金坛居民区"]
    assert (jt["households"], jt["visited_recently"], jt["not_visited"]) == (3, 2, 1)
    assert (jt["planned"], jt["done"], jt["rate"], jt["overdue_plans"]) == (3, 2, 67, 1)
    assert (jt["visits"], jt["visits_met"], jt["visits_refused"], jt["visits_absent"]) == (2, 1, 1, 0)
    assert rows["新码居民区"]["households"] == 1 and rows["新码居民区"]["not_visited"] == 1
    # the cadre sees only its 居民区
    assert [r["neighbourhood"] for r in coverage.by_neighbourhood(street.cadre, period)] == ["金坛居民区"]
    assert w["overdue"] in list(coverage.overdue_plans(street.cadre))
    assert coverage.by_neighbourhood(street.auditor, period) == []


def test_by_visitor(street):
    world(street)
    period = coverage.default_period()
    period.start = f.today() - timedelta(days=5)
    rows = {r["user_id"]: r for r in coverage.by_visitor(street.dispatcher, period)}
    cadre = rows[street.cadre.pk]
    assert (cadre["planned"], cadre["done"], cadre["overdue_plans"], cadre["visits"], cadre["visits_met"]) == (
        3, 2, 1, 1, 1)
    assert rows[street.grid_user.pk]["visits_refused"] == 1 and rows[street.grid_user.pk]["planned"] == 0


def test_never_visited_in_n_months_includes_never_visited(street):
    w = world(street)
    period = coverage.default_period(months=12)
    assert [h.pk for h in coverage.not_visited(street.dispatcher, period)] == [w["outsider"].pk, w["c"].pk]
    assert list(coverage.not_visited(street.dispatcher, period))[0].last_visit is None
    assert [h.pk for h in coverage.not_visited(street.cadre, period)] == [w["c"].pk]
    assert [h.pk for h in coverage.not_visited(street.cadre, coverage.default_period(months=24))] == []


def test_the_queries_do_not_grow_with_the_households(street):
    world(street)
    period = coverage.default_period()
    with CaptureQueriesContext(connection) as few:
        coverage.summary(street.dispatcher, period)
        coverage.by_visitor(street.dispatcher, period)
    for i in range(15):
        f.visit(street, f.household(street, f"愚园路122弄1号{i + 101}室", head=""), outcome="absent")
    with CaptureQueriesContext(connection) as many:
        coverage.summary(street.dispatcher, period)
        coverage.by_visitor(street.dispatcher, period)
    assert len(many) == len(few) <= 15
