"""KPIs on hand-built cases, with the expected figures worked out by hand in the comments."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cases import services
from core import clock
from core.errors import ValidationFailed
from kpi.selectors import kpi_table

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 2)


@pytest.fixture
def cases(street):
    """Five cases registered on Monday 2026-11-02; SLA: sign 2 working hours, contact 9, handle 5 working days."""
    at = lambda h, m=0, d=2: datetime(2026, 11, d, h, m, tzinfo=SH)  # noqa: E731
    made = {}
    with clock.frozen_at(at(9)):
        made["on_time"] = street.dispatched_case()                # sign deadline 11:00
        made["late_sign"] = street.dispatched_case()
        made["never"] = street.dispatched_case()                   # dispatched, never signed
        made["registered"] = street.new_case()                     # not dispatched
        made["dup"] = street.new_case()
    with clock.frozen_at(at(10)):
        services.case_sign(actor=street.handler, case=made["on_time"])
        services.case_record_first_contact(actor=street.handler, case=made["on_time"], method="phone", outcome="ok")
        services.case_merge(actor=street.dispatcher, case=made["dup"], master=made["registered"])
        services.case_chase(actor=street.intake, case=made["never"], note="催")
        services.case_chase(actor=street.intake, case=made["never"], note="再催")
    with clock.frozen_at(at(14)):                                   # 3 h after the sign deadline
        services.case_sign(actor=street.handler, case=made["late_sign"])
        services.case_record_first_contact(actor=street.handler, case=made["late_sign"], method="phone", outcome="ok")
    with clock.frozen_at(at(9, d=3)):                              # handled on time (deadline 11-09 09:00)
        services.case_finish(actor=street.handler, case=made["on_time"], result="done")
        services.case_callback(actor=street.callback, case=made["on_time"], satisfaction="unsatisfied", solved=False,
                               first_contacted=True, remarks="没解决")
        services.case_reopen(actor=street.callback, case=made["on_time"], reason="重办")
    with clock.frozen_at(at(10, d=3)):   # the reopened round (reopen 11-03 09:00): sign by 11:00, handle by 11-10
        services.case_sign(actor=street.handler, case=made["on_time"])
        services.case_record_first_contact(actor=street.handler, case=made["on_time"], method="visit", outcome="ok")
        services.case_finish(actor=street.handler, case=made["on_time"], result="done again")
        services.case_callback(actor=street.callback, case=made["on_time"], satisfaction="basically", solved=True,
                               first_contacted=True)
    with clock.frozen_at(at(10, d=12)):                            # late: deadline was 11-09 14:00
        services.case_finish(actor=street.handler, case=made["late_sign"], result="done late")
        services.case_callback(actor=street.callback, case=made["late_sign"], satisfaction="satisfied", solved=True,
                               first_contacted=True)
    return made


def test_street_figures_worked_out_by_hand(street, cases):
    row = kpi_table(street.dispatcher, start=DAY, end=DAY)[0]
    assert row["cases"] == 5
    # dispatched: on_time, late_sign, never = 3. KPIs read the latest round: on_time's second signing (11-03 10:00)
    # is within the reopen's deadline (11:00); late_sign signed 14:00 > 11:00; never is unsigned → 1/3
    assert row["sign_on_time"] == {"value": 0.3333, "numerator": 1, "denominator": 3}
    # first contact within 9 working hours: on_time (both rounds) and late_sign (14:00 < 11-03 09:00) → 2/3
    assert row["first_contact"] == {"value": 0.6667, "numerator": 2, "denominator": 3}
    # handled: on_time (11-03 10:00 ≤ 11-10 09:00) and late_sign (11-12 > 11-09 14:00) → 1/2
    assert row["handled_on_time"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    assert row["overdue"] == {"value": 1}                           # late_sign handled late
    # called back (latest callback): on_time basically+solved, late_sign satisfied+solved → 2/2
    assert row["satisfied"]["value"] == 1.0 and row["solved"] == {"value": 1.0, "numerator": 2, "denominator": 2}
    assert row["unsatisfied"] == {"value": 1}                       # on_time was 不满意 once
    assert row["reopened"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    assert row["returned"]["value"] == 0.0 and row["extended"]["value"] == 0.0
    assert row["duplicates"] == {"value": 0.2, "numerator": 1, "denominator": 5}
    assert row["chases"] == {"value": 2}
    # working hours (08:30–17:30) from the latest 派单 to 办结: on_time's reopen round 11-03 09:00 → 10:00 = 1 h;
    # late_sign 11-02 09:00 → 11-12 10:00 = 8.5 h + 7 full days × 9 h (11-03…11-11) + 1.5 h = 73 h → (1 + 73) / 2
    assert row["handling_hours"] == {"value": 37.0, "denominator": 2}


def test_grouped_by_department_and_source(street, cases):
    by_department = {r["label"]: r for r in kpi_table(street.dispatcher, start=DAY, end=DAY, group_by="department")}
    assert by_department["城管中队"]["cases"] == 3 and by_department["未指定"]["cases"] == 2
    by_source = kpi_table(street.dispatcher, start=DAY, end=DAY, group_by="source")
    assert [(r["key"], r["label"], r["cases"]) for r in by_source] == [("patrol", "网格巡查", 5)]


def test_empty_period_gives_none_rates_and_bad_input_is_refused(street, cases):
    row = kpi_table(street.dispatcher, start=date(2026, 1, 1), end=date(2026, 1, 31))[0]
    assert row["cases"] == 0 and row["satisfied"]["value"] is None and row["chases"] == {"value": 0}
    with pytest.raises(ValidationFailed):
        kpi_table(street.dispatcher, start=DAY, end=date(2026, 11, 1))
    with pytest.raises(ValidationFailed):
        kpi_table(street.dispatcher, start=DAY, end=DAY, group_by="weekday")


def test_a_handler_sees_only_cases_of_its_department(street, cases):
    assert kpi_table(street.handler, start=DAY, end=DAY)[0]["cases"] == 3
