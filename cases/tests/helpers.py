"""Helpers for the case-engine tests: drive a case into any state through the services, and check that a refused
call changed nothing at all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases import services
from cases.models import Assignment, Case, CaseEvent, Request, Satisfaction, State
from core import clock
from core.errors import DomainError

SH = ZoneInfo("Asia/Shanghai")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def at(*args: int) -> datetime:
    """An aware Asia/Shanghai moment: at(2026, 9, 30, 16) is 2026-09-30 16:00 +08:00."""
    return datetime(*args, tzinfo=SH)


def in_days(days: int) -> date:
    return timezone.localdate(clock.now()) + timedelta(days=days)


def case_in_state(street, state: str, *, satisfaction: str = Satisfaction.UNSATISFIED, **fields: Any) -> Case:
    """A case brought into `state` the way real users get it there: every step through its service.

    Dispatched cases go to street.department (lead) with street.co_department as co-handler, so the table tests
    can check both shares. A called-back case is 不满意 by default, so 重办 is possible from it."""
    if state == State.REGISTERED:
        return street.new_case(**fields)
    if state == State.MERGED:
        master = street.new_case()
        return services.case_merge(actor=street.dispatcher, case=street.new_case(**fields), master=master)
    case = services.case_dispatch(actor=street.dispatcher, case=street.new_case(**fields),
                                  lead_department=street.department, co_departments=[street.co_department])
    if state == State.DISPATCHED:
        return case
    if state == State.RETURN_REQUESTED:
        services.case_request_return(actor=street.handler, case=case, reason="不属于本单位职责")
        return case
    services.case_sign(actor=street.handler, case=case)
    if state == State.SIGNED:
        return case
    services.case_record_first_contact(actor=street.handler, case=case, method="phone", outcome="已电话联系诉求人")
    if state == State.HANDLING:
        return case
    if state == State.SUSPENDED:
        return services.case_suspend(actor=street.dispatcher, case=case, plan="历史遗留问题,挂账推进",
                                     review_date=in_days(30))
    services.case_finish(actor=street.handler, case=case, result="已清理楼道堆物")
    if state == State.HANDLED:
        return case
    remarks = "问题没有解决" if satisfaction == Satisfaction.UNSATISFIED else ""
    services.case_callback(actor=street.callback, case=case, satisfaction=satisfaction, solved=True,
                           first_contacted=True, remarks=remarks)
    if state == State.CALLED_BACK:
        return case
    if state == State.CLOSED:
        return services.case_close(actor=street.dispatcher, case=case, reason="已向诉求人解释政策")
    raise AssertionError(f"no path to state {state!r}")


def snapshot(case: Case) -> dict[str, Any]:
    """Everything a case operation may touch, read fresh from the database."""
    return {
        "case": Case.objects.values().get(pk=case.pk),
        "events": list(CaseEvent.objects.filter(case_id=case.pk).order_by("pk").values_list("pk", flat=True)),
        "requests": list(Request.objects.filter(case_id=case.pk).order_by("pk").values_list("pk", "status")),
        "assignments": list(
            Assignment.objects.filter(case_id=case.pk).order_by("pk").values_list("pk", "department_id", "active",
                                                                                  "report")
        ),
    }


@contextmanager
def refused(error: type[DomainError], case: Case, *, code: str | None = None,
            message: str | None = None) -> Iterator[pytest.ExceptionInfo]:
    """The block raises `error` with a Chinese message, and the case, its events, requests and assignments are
    exactly as before."""
    before = snapshot(case)
    with pytest.raises(error) as info:
        yield info
    assert CHINESE.search(info.value.message), info.value.message
    if code is not None:
        assert info.value.code == code
    if message is not None:
        assert message in info.value.message, info.value.message
    assert snapshot(case) == before


def last_event(case: Case) -> CaseEvent:
    return CaseEvent.objects.filter(case_id=case.pk).order_by("-pk").first()


def event_count(case: Case) -> int:
    return CaseEvent.objects.filter(case_id=case.pk).count()
