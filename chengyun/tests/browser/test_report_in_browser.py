"""The leader asks for last month's 情况分析 and watches it being written in the background."""

import pytest

from reports.tests.conftest import october  # noqa: F401  (the hand-built October)

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.usefixtures("october")
def test_leader_generates_the_monthly_report_and_sees_it_finish(street, page_as, live_server):
    leader = page_as(street.leader)
    leader.goto(f"{live_server.url}/reports/")
    leader.fill("input[name=month]", "2026-10")
    leader.click("#generate")
    # the row polls its progress every second until the background thread has written both files
    leader.wait_for_selector("a.download-pdf", timeout=60000)
    assert "2026年10月" in leader.inner_text("#reports")
    screenshot(leader, "leader-reports")
