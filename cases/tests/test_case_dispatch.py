"""派单: case_dispatch, its assignments and its deadlines in working time.

Working time is 08:30–17:30 on working days (9 h). Around National Day 2026 (chinese_calendar 1.11):
Wed 30 Sep is a working day, 1–7 Oct are holidays, Thu 8 Oct and Fri 9 Oct are working days, Sat 10 Oct is a
make-up working day (调休), Sun 11 Oct is off; Sun 20 Sep is a make-up working day too.
"""

from decimal import Decimal

import pytest

from cases import services
from cases.models import Assignment, Case, State
from core import clock
from core.errors import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed
from org.tests.factories import CategoryFactory, DepartmentFactory, ParentCategoryFactory
from workdays.calendar import working_hours_between

from .helpers import at, last_event, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def category(street):
    return CategoryFactory(name="占道经营", sign_hours=Decimal("2"), first_contact_hours=Decimal("9"),
                           urgent_first_contact_hours=Decimal("4"), handle_days=5)


def dispatch_at(street, moment, **fields) -> Case:
    with clock.frozen_at(moment):
        case = street.new_case(**fields)
        return services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department)


def test_dispatcher_dispatches_to_a_lead_department_with_co_handlers(street):
    case = street.new_case()
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department,
                               co_departments=[street.co_department, street.co_department], note="请联合处置")
    case.refresh_from_db()
    assert (case.state, case.lead_department, case.dispatched_at) == (State.DISPATCHED, street.department,
                                                                      at(2026, 11, 2, 9, 0))
    shares = set(case.assignments.values_list("department__name", "role", "active"))
    assert shares == {("城管中队", "lead", True), ("金坛居委会", "co", True)}
    event = last_event(case)
    assert (event.action, event.actor, event.from_state, event.to_state, event.note) == (
        "dispatch", street.dispatcher, State.REGISTERED, State.DISPATCHED, "请联合处置")
    assert event.payload == {
        "lead_department": "城管中队", "co_departments": ["金坛居委会"], "category": str(street.category),
        "sign_deadline": "2026-11-02T11:00:00+08:00", "handle_deadline": "2026-11-09T09:00:00+08:00",
    }


def test_deadlines_run_in_working_time_across_the_national_day_holiday(street, category):
    case = dispatch_at(street, at(2026, 9, 30, 16, 0), category=category)
    # 1.5 h left on 30 Sep, the rest from 08:30 on 8 Oct.
    assert case.sign_deadline == at(2026, 10, 8, 9, 0)
    assert case.first_contact_deadline == at(2026, 10, 8, 16, 0)
    # Five working days: 8, 9, 10 (调休 Saturday), 12, 13 Oct, at the same clock time.
    assert case.handle_deadline == at(2026, 10, 13, 16, 0)
    assert working_hours_between(case.dispatched_at, case.handle_deadline) == 45
    assert last_event(case).payload["handle_deadline"] == "2026-10-13T16:00:00+08:00"
    assert last_event(case).payload["sign_deadline"] == "2026-10-08T09:00:00+08:00"


def test_an_urgent_case_uses_the_urgent_first_contact_limit(street, category):
    case = dispatch_at(street, at(2026, 9, 30, 16, 0), category=category, urgency="urgent")
    assert case.first_contact_deadline == at(2026, 10, 8, 11, 0)
    assert (case.sign_deadline, case.handle_deadline) == (at(2026, 10, 8, 9, 0), at(2026, 10, 13, 16, 0))


def test_a_case_dispatched_during_the_holiday_counts_from_the_next_working_morning(street, category):
    case = dispatch_at(street, at(2026, 10, 3, 10, 0), category=category)
    assert case.sign_deadline == at(2026, 10, 8, 10, 30)
    # A limit that ends exactly at closing time ends at 17:30, not at the next morning's 08:30.
    assert case.first_contact_deadline == at(2026, 10, 8, 17, 30)
    assert case.handle_deadline == at(2026, 10, 13, 17, 30)


def test_a_make_up_sunday_counts_as_a_working_day(street, category):
    case = dispatch_at(street, at(2026, 9, 19, 16, 0), category=category)  # Saturday, off
    assert case.sign_deadline == at(2026, 9, 20, 10, 30)  # Sunday 20 Sep is worked (调休)


def test_the_dispatcher_can_set_the_category_while_dispatching(street, category):
    case = street.new_case(category=None)
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department,
                               category=category)
    case.refresh_from_db()
    assert case.category == category and case.first_contact_deadline == at(2026, 11, 3, 9, 0)
    assert last_event(case).payload["category"] == str(category)


def test_a_case_without_a_category_cannot_be_dispatched(street):
    case = street.new_case(category=None)
    with refused(ValidationFailed, case, message="派单前请先确定工单类别"):
        services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department)
    assert not Assignment.objects.exists()


def test_a_lead_department_is_required(street):
    case = street.new_case()
    with refused(ValidationFailed, case, message="请选择主办单位"):
        services.case_dispatch(actor=street.dispatcher, case=case, lead_department=None)


def test_an_inactive_department_cannot_be_dispatched_to(street):
    case = street.new_case()
    closed = DepartmentFactory(name="已撤销中队", is_active=False)
    with refused(ValidationFailed, case, message="已撤销中队"):
        services.case_dispatch(actor=street.dispatcher, case=case, lead_department=closed)
    with refused(ValidationFailed, case, message="已停用"):
        services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department,
                               co_departments=[closed])


def test_the_lead_department_cannot_also_be_a_co_handler(street):
    case = street.new_case()
    with refused(ValidationFailed, case, message="主办单位不能同时作为协办单位"):
        services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department,
                               co_departments=[street.department])


def test_a_top_level_category_is_refused(street):
    case = street.new_case()
    with refused(ValidationFailed, case, message="小类"):
        services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department,
                               category=ParentCategoryFactory())


def test_a_handler_cannot_dispatch(street):
    case = street.new_case()
    with refused(PermissionDenied, case):
        services.case_dispatch(actor=street.handler, case=case, lead_department=street.department)


def test_a_dispatched_case_cannot_be_dispatched_again(street):
    case = street.dispatched_case()
    with refused(TransitionNotAllowed, case, message="已派单"):
        services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.other_department)


def test_a_stale_version_is_refused_with_a_conflict(street):
    case = street.new_case()
    stale_version = case.version
    services.case_chase(actor=street.intake, case=case, note="再次来电")
    with refused(Conflict, case, message="已被他人更新"):
        services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department,
                               expected_version=stale_version)
