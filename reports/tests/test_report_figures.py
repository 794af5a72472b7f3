"""The report's figures and its prose, on the hand-built October of conftest."""

from datetime import date

import pytest

from core.errors import ValidationFailed
from reports.selectors import parse_month, report_figures

pytestmark = pytest.mark.django_db


def test_summary_prose_is_generated_from_the_figures(october):
    figures = report_figures(date(2026, 10, 1))
    assert figures.street["cases"] == 3 and figures.previous["cases"] == 1 and figures.last_year["cases"] == 2
    opening = figures.summary[0]
    # 3 this month vs 1 last month (+200%) and 2 a year ago (+50%)
    assert "街道共受理各类诉求3件" in opening and "环比上升200.0%(上月1件)" in opening
    assert "同比上升50.0%(去年同期2件)" in opening and "网格巡查3件(占100.0%)" in opening
    # 3 called back: satisfied + basically → 2/3; one handled late → 超时1件
    assert "满意率66.7%" in figures.summary[2] and "本月回访不满意1件" in figures.summary[2]
    assert "超时1件" in figures.summary[1]


def test_unsatisfied_cases_carry_content_handling_and_remarks_masked(october):
    figures = report_figures(date(2026, 10, 1))
    [bad] = figures.unsatisfied
    assert bad["number"] == october["bad"].number and bad["result"] == "已清理"
    assert "138****1234" in bad["content"] and "13812341234" not in bad["content"] and "张建国" not in bad["content"]
    assert "张**" in bad["remarks"] and bad["address"] == "愚园路xx弄x号"
    assert [r["number"] for r in figures.overdue] == [october["bad"].number]
    assert len(figures.appendix) == 3 and figures.departments[0]["label"] == "城管中队"


def test_an_empty_month_says_so():
    figures = report_figures(date(2024, 2, 1))
    assert figures.street["cases"] == 0 and figures.summary == ["2月(2024年02月01日至02月29日)未受理工单。"]


def test_month_parsing():
    assert parse_month("2026-10") == date(2026, 10, 1)
    for bad in ("2026/10", "2026-13", "", "十月"):
        with pytest.raises(ValidationFailed):
            parse_month(bad)
