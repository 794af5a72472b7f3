"""社区大脑 in chromium: the vendored ECharts draws the trend and breakdown charts, offline."""

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_dashboard_draws_its_charts(street, page_as, live_server):
    street.called_back_case("satisfied")
    leader = page_as(street.leader)
    leader.goto(f"{live_server.url}/dashboard/")
    leader.locator("#trend-chart canvas").wait_for()
    leader.locator("#source-chart canvas").wait_for()
    assert leader.evaluate("typeof echarts") == "object"
    screenshot(leader, "leader-dashboard")
