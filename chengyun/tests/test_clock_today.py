"""core.clock.today(): the street's date (Asia/Shanghai), which the 民生 pages, API and services count days by."""

from datetime import UTC, date, datetime

from core import clock


def test_today_is_the_streets_date_not_utcs():
    with clock.frozen_at(datetime(2026, 12, 1, 17, 30, tzinfo=UTC)):
        assert clock.today() == date(2026, 12, 2)
    with clock.frozen_at(datetime(2026, 12, 1, 15, 30, tzinfo=UTC)):
        assert clock.today() == date(2026, 12, 1)
