"""Rankings, period-over-period change, the monthly trend, the dashboard page, the API and the Excel export."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from audit.models import AuditEntry
from cases import services
from core import clock
from core.errors import ValidationFailed
from kpi.selectors import kpi_compare, kpi_ranking, monthly_trend, previous_period
from org.services import api_token_create

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def two_departments(street):
    """城管中队: 2 cases, 1 satisfied + 1 unsatisfied (50%); 静安物业: 1 case, satisfied (100%). All on 11-02."""
    with clock.frozen_at(datetime(2026, 11, 2, 9, 0, tzinfo=SH)):
        street.called_back_case("satisfied")
        street.called_back_case("unsatisfied")
        case = street.new_case()
        services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.other_department)
        services.case_sign(actor=street.handler_other, case=case)
        services.case_record_first_contact(actor=street.handler_other, case=case, method="phone", outcome="ok")
        services.case_finish(actor=street.handler_other, case=case, result="done")
        services.case_callback(actor=street.callback, case=case, satisfaction="satisfied", solved=True,
                               first_contacted=True)
    with clock.frozen_at(datetime(2026, 10, 27, 9, 0, tzinfo=SH)):   # the week before: one case, unsatisfied
        street.called_back_case("unsatisfied")


def test_ranking_puts_the_better_department_first(street, two_departments):
    ranked = kpi_ranking(street.dispatcher, start=date(2026, 11, 2), end=date(2026, 11, 2), kpi="satisfied")
    assert [(r["label"], r["rank"], r["satisfied"]["value"]) for r in ranked] == [
        ("静安物业", 1, 1.0), ("城管中队", 2, 0.5)]
    fewest_overdue_first = kpi_ranking(street.dispatcher, start=date(2026, 11, 2), end=date(2026, 11, 2), kpi="unsatisfied")
    assert fewest_overdue_first[0]["label"] == "静安物业"


def test_period_over_period_change(street, two_departments):
    assert previous_period(date(2026, 11, 2), date(2026, 11, 8)) == (date(2026, 10, 26), date(2026, 11, 1))
    row = kpi_compare(street.dispatcher, start=date(2026, 11, 2), end=date(2026, 11, 8))[0]
    # this week 2 of 3 satisfied (0.6667); last week 0 of 1 → change +0.6667
    assert row["satisfied"]["value"] == 0.6667 and row["satisfied"]["previous"] == 0.0
    assert row["satisfied"]["change"] == 0.6667


def test_monthly_trend_groups_by_registration_month(street, two_departments):
    months = {r["month"]: r for r in monthly_trend(street.dispatcher, today=date(2026, 11, 24))}
    assert months["2026-11"]["cases"] == 3 and months["2026-10"]["cases"] == 1
    # 三率 only by default (the other aggregates are not computed); 11-02: 2 of 3 called back satisfied
    assert months["2026-11"]["satisfied"]["value"] == 0.6667 and "chases" not in months["2026-11"]
    chases = monthly_trend(street.dispatcher, today=date(2026, 11, 24), codes=("chases",))
    assert [r["chases"] for r in chases] == [{"value": 0}, {"value": 0}]
    with pytest.raises(ValidationFailed):
        monthly_trend(street.dispatcher, codes=("weekday",))


def test_dashboard_renders_figures_charts_and_wall_mode(street, two_departments, settings):
    settings.KPI_RANKING_MIN_CASES = 1  # the fixture's units have 1 and 2 cases (the rule: workbench/tests)
    client = Client()
    client.force_login(street.leader)
    page = client.get("/dashboard/", {"start": "2026-11-02", "end": "2026-11-02"}).content.decode()
    assert "社区大脑" in page and "满意率" in page and 'id="trend-chart"' in page and "vendor/echarts.min.js" in page
    assert "静安物业" in page and "&amp;department=" in page and "source=patrol" in page
    wall = client.get("/dashboard/", {"wall": "1"}).content.decode()
    assert 'http-equiv="refresh"' in wall
    bad = client.get("/dashboard/", {"start": "2026-11-30", "end": "2026-11-01"})
    assert bad.status_code == 422 and "结束日期" in bad.content.decode()


def test_excel_export_of_the_department_table_is_audited(street, two_departments):
    client = Client()
    client.force_login(street.dispatcher)
    response = client.get("/dashboard/export.xlsx", {"start": "2026-11-02", "end": "2026-11-02", "group_by": "department"})
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("分组", "工单数", "按时签收率")
    labels = {r[0]: r for r in rows[1:]}
    satisfied_column = rows[0].index("满意率")
    assert labels["城管中队"][satisfied_column] == "50.0%" and labels["静安物业"][satisfied_column] == "100.0%"
    assert AuditEntry.objects.filter(action="export", object_type="kpi_table").exists()


def test_kpi_api(street, two_departments):
    _, key = api_token_create(user=street.leader)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    definitions = client.get("/api/kpi/definitions").json()
    assert {"code": "satisfied", "name": "满意率", "rate": True}.items() <= definitions[5].items()
    ranking = client.get("/api/kpi/ranking", {"start": "2026-11-02", "end": "2026-11-02", "kpi": "satisfied"}).json()
    assert ranking[0]["label"] == "静安物业"
    assert client.get("/api/kpi/table", {"start": "2026-11-02", "end": "2026-11-01"}).status_code == 422
    assert client.get("/api/kpi/table", {"start": "2026-11-02", "end": "2026-11-02", "group_by": "x"}).status_code == 422


def test_a_department_head_sees_the_street_ranking_but_only_its_own_cases(street, two_departments, settings):
    settings.KPI_RANKING_MIN_CASES = 1
    client = Client()
    client.force_login(street.handler)  # 城管中队
    page = client.get("/dashboard/", {"start": "2026-11-02", "end": "2026-11-02"}).content.decode()
    ranking = page.split('id="ranking"')[1].split("</table>")[0]
    # both departments ranked street-wide, only its own row links to the cases behind it
    assert "静安物业" in ranking and f"department={street.other_department.pk}\"" not in ranking
    assert f"department={street.handler.department_id}\"" in ranking
    # its own tiles count its department's two cases, not the street's three
    assert kpi_ranking(street.handler, start=date(2026, 11, 2), end=date(2026, 11, 2), kpi="satisfied",
                       street_wide=True)[0]["label"] == "静安物业"
    own = kpi_compare(street.handler, start=date(2026, 11, 2), end=date(2026, 11, 2))[0]
    assert own["cases"] == 2


def test_a_category_name_cannot_break_out_of_the_chart_data(street, two_departments):
    parent = street.category.parent
    parent.name = "</script><script>alert(1)</script>"
    parent.save()
    client = Client()
    client.force_login(street.leader)
    page = client.get("/dashboard/", {"start": "2026-11-02", "end": "2026-11-02"}).content.decode()
    assert "<script>alert(1)" not in page and "\\u003C/script\\u003E" in page
