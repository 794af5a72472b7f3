"""The kept street-wide month aggregates behind the 12-month trend: built on read, dropped on any change."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cases import services
from cases.models import Case
from core import clock
from kpi.models import MonthlySummary
from kpi.selectors import _per_month, monthly_trend

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 24)


@pytest.fixture
def three_months(street):
    """August: 1 satisfied; September: 1 unsatisfied, 1 only registered; November: 1 satisfied."""
    made = {}
    with clock.frozen_at(datetime(2026, 8, 10, 9, 0, tzinfo=SH)):
        made["august"] = street.called_back_case("satisfied")
    with clock.frozen_at(datetime(2026, 9, 7, 9, 0, tzinfo=SH)):
        made["september"] = street.called_back_case("unsatisfied")
        made["waiting"] = street.new_case()
    with clock.frozen_at(datetime(2026, 11, 2, 9, 0, tzinfo=SH)):
        made["november"] = street.called_back_case("satisfied")
    return made


def _live() -> dict:
    """The same trend computed without kept months, from the scoped live query."""
    rows = _per_month(Case.objects.all(), datetime(2025, 12, 1, tzinfo=SH))
    return {m.strftime("%Y-%m"): r for m, r in rows.items()}


def test_past_months_are_kept_and_the_live_months_are_not(street, three_months):
    trend = monthly_trend(street.leader, today=TODAY)
    assert [r["month"] for r in trend] == ["2026-08", "2026-09", "2026-11"]      # months without cases left out
    assert trend[1]["satisfied"] == {"value": 0.0, "numerator": 0, "denominator": 1}
    kept = {s.month: s.figures["cases"] for s in MonthlySummary.objects.all()}
    # Dec 2025 … Sep 2026 are kept (empty months too, so they are not recomputed); Oct and Nov are always live
    assert len(kept) == 10 and kept[date(2026, 9, 1)] == 2 and kept[date(2026, 8, 1)] == 1
    assert date(2026, 10, 1) not in kept and date(2026, 11, 1) not in kept
    assert monthly_trend(street.leader, today=TODAY) == trend                     # read back from the kept months


def test_a_change_to_a_case_of_a_kept_month_drops_that_month_only(street, three_months):
    monthly_trend(street.leader, today=TODAY)
    with clock.frozen_at(datetime(2026, 11, 3, 9, 0, tzinfo=SH)):
        services.case_reopen(actor=street.callback, case=three_months["september"], reason="重办")
    assert not MonthlySummary.objects.filter(month=date(2026, 9, 1)).exists()
    assert MonthlySummary.objects.filter(month=date(2026, 8, 1)).exists()
    september = {r["month"]: r for r in monthly_trend(street.leader, today=TODAY)}["2026-09"]
    # reopened: no callback any more in its latest round → nothing called back in September
    assert september["satisfied"] == {"value": None, "numerator": 0, "denominator": 0}
    assert september["satisfied"]["denominator"] == _live()["2026-09"]["satisfied__d"]


def test_a_bulk_registration_into_a_kept_month_drops_it(street, three_months):
    monthly_trend(street.leader, today=TODAY)
    with clock.frozen_at(datetime(2026, 11, 3, 9, 0, tzinfo=SH)):
        services.case_register_bulk(actor=street.intake, rows=[
            {"source": "hotline", "hotline_number": "H-0815", "title": "噪音", "content": "夜间噪音",
             "registered_at": datetime(2026, 8, 15, 10, 0, tzinfo=SH)}])
    assert not MonthlySummary.objects.filter(month=date(2026, 8, 1)).exists()
    august = {r["month"]: r for r in monthly_trend(street.leader, today=TODAY)}["2026-08"]
    assert august["cases"] == 2


def test_a_scoped_user_gets_its_own_cases_live(street, three_months):
    trend = monthly_trend(street.handler_other, today=TODAY)
    assert trend == [] and not MonthlySummary.objects.exists()


def test_the_periodic_task_keeps_the_past_months_ready(street, three_months):
    from kpi.tasks import keep_monthly_summaries

    with clock.frozen_at(datetime(2026, 11, 24, 12, 0, tzinfo=SH)):
        assert keep_monthly_summaries() == 10
    assert MonthlySummary.objects.get(month=date(2026, 9, 1)).figures["cases"] == 2
