"""社区大脑 and the leader's page (issue 16): period presets (上月 by default), every tile following the period,
the ranking's minimum-case rule, and every figure clicking down to a list of exactly that many cases."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cases import services
from cases.models import Case
from core import clock
from core.errors import ValidationFailed
from kpi.periods import period_from

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 10, 10, 0, tzinfo=SH)


def other_called_back(street, satisfaction="satisfied"):
    case = street.new_case(address="愚园路140号")
    services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.other_department)
    services.case_sign(actor=street.handler_other, case=case)
    services.case_record_first_contact(actor=street.handler_other, case=case, method="phone", outcome="ok")
    services.case_finish(actor=street.handler_other, case=case, result="done")
    return services.case_callback(actor=street.callback, case=case, satisfaction=satisfaction, solved=True,
                                  first_contacted=True, remarks="" if satisfaction == "satisfied" else "没解决")


@pytest.fixture
def months(street):
    """November (上月 on 12-10): 城管中队 5 cases (3 satisfied, 1 unsatisfied, 1 open, overdue and urged) and
    静安物业 2 cases, both satisfied; an open overdue case of 城管中队 too. December: one new case. October: one."""
    with clock.frozen_at(datetime(2026, 11, 3, 9, 0, tzinfo=SH)):
        for _ in range(3):
            street.called_back_case("satisfied")
        unhappy = street.called_back_case("unsatisfied", title="张建国反映楼道堆物无人清理")
        late = street.signed_case()
        services.case_urge(actor=street.leader, case=late, note="请尽快处理")
        other_called_back(street)
        other_called_back(street)
    Case.objects.filter(pk=late.pk).update(is_overdue=True)
    with clock.frozen_at(datetime(2026, 12, 8, 9, 0, tzinfo=SH)):
        street.new_case()
    with clock.frozen_at(datetime(2026, 10, 20, 9, 0, tzinfo=SH)):
        street.called_back_case("unsatisfied")
    return {"unhappy": unhappy, "late": late}


def get(client, url, params=None):
    with clock.frozen_at(NOW):
        return client.get(url, params or {})


def tiles(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-measure="(\w+)" href="[^"]+"><b>([^<]+)</b>', page))


def rates(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-kpi="(\w+)"><a class="rate-value" href="[^"]+"><b>([^<]+)</b>', page))


def drill_count(client, href: str) -> int:
    response = get(client, html.unescape(href))
    assert response.status_code == 200, href
    return int(re.search(r'id="drill-count">共 <b>(\d+)</b>', response.content.decode()).group(1))


def test_presets_and_their_bounds():
    today = date(2026, 12, 10)
    assert period_from({}, today=today).preset == "last_month"
    bounds = {code: (p.start, p.end) for code in ("this_month", "last_month", "last_3_months", "this_year")
              for p in [period_from({"period": code}, today=today)]}
    assert bounds == {"this_month": (date(2026, 12, 1), today), "last_month": (date(2026, 11, 1), date(2026, 11, 30)),
                      "last_3_months": (date(2026, 10, 1), today), "this_year": (date(2026, 1, 1), today)}
    custom = period_from({"period": "custom", "start": "2026-11-03", "end": "2026-11-04"}, today=today)
    assert (custom.start, custom.end) == (date(2026, 11, 3), date(2026, 11, 4))
    assert period_from({"start": "2026-11-03", "end": "2026-11-04"}, today=today).preset == "custom"
    for bad in ({"period": "weekly"}, {"period": "custom", "start": "2026-11-03"},
                {"period": "custom", "start": "2026-11-05", "end": "2026-11-04"}, {"start": "x", "end": "y"}):
        with pytest.raises(ValidationFailed):
            period_from(bad, today=today)


def test_the_dashboard_opens_on_last_month(client, street, months):
    client.force_login(street.leader)
    page = get(client, "/dashboard/").content.decode()
    assert "2026-11-01 至 2026-11-30" in page and 'data-preset="last_month" aria-current="true"' in page
    assert tiles(page)["cases"] == "7"


@pytest.mark.parametrize("url", ["/dashboard/", "/"])
def test_every_tile_follows_the_period(client, street, months, url):
    client.force_login(street.leader)
    november = get(client, url, {"period": "last_month"}).content.decode()
    december = get(client, url, {"period": "this_month"}).content.decode()
    assert tiles(november) == {"cases": "7", "open": "7", "overdue": "1", "unsatisfied": "1", "urged": "1"}
    assert tiles(december) == {"cases": "1", "open": "1", "overdue": "0", "unsatisfied": "0", "urged": "0"}
    october = get(client, url, {"period": "custom", "start": "2026-10-01", "end": "2026-10-31"}).content.decode()
    assert tiles(october) == {"cases": "1", "open": "1", "overdue": "0", "unsatisfied": "1", "urged": "0"}
    if url == "/dashboard/":
        # the rate tiles too: 6 of 7 called back in November, 5 satisfied; none in December; 0 of 1 in October
        assert rates(november)["satisfied"] == "83%" and rates(december)["satisfied"] == "—"
        assert rates(october)["satisfied"] == "0%"
        assert set(rates(november)) == {"sign_on_time", "first_contact", "handled_on_time", "solved", "satisfied"}


def test_a_unit_with_few_cases_is_listed_apart_not_ranked(client, street, months, settings):
    settings.KPI_RANKING_MIN_CASES = 5
    client.force_login(street.leader)
    page = get(client, "/dashboard/").content.decode()
    ranking = page.split('id="ranking"')[1].split("</table>")[0]
    small = page.split('id="small-sample"')[1].split("</ul>")[0]
    # 静安物业: 2 cases, both satisfied (100%) — ahead of 城管中队's 75% without the rule
    assert "城管中队" in ranking and "静安物业" not in ranking and re.search(r'data-label="名次" data-value="1"', ranking)
    assert "静安物业" in small and "2 件" in small and "样本不足(本期少于 5 件" in page
    settings.KPI_RANKING_MIN_CASES = 1
    ranked = get(client, "/dashboard/").content.decode().split('id="ranking"')[1].split("</table>")[0]
    assert ranked.index("静安物业") < ranked.index("城管中队")


def test_every_figure_drills_down_to_exactly_that_many_cases(client, street, months, settings):
    settings.KPI_RANKING_MIN_CASES = 3
    client.force_login(street.leader)
    page = get(client, "/dashboard/").content.decode()
    figures = re.findall(r'<a class="tile" data-measure="\w+" href="([^"]+)"><b>(\d+)</b>', page)
    figures += re.findall(r'<a class="tile (?:red|amber)" data-measure="\w+" href="([^"]+)"><b>(\d+)</b>', page)
    figures += re.findall(r'<a class="rate-[nd]" href="([^"]+)">(\d+)</a>', page)
    figures += re.findall(r'<a class="drill" href="([^"]+)">(\d+)</a>', page)  # the ranking's case counts
    hotspots = page.split('id="hotspots"')[1].split("</section>")[0]
    figures += re.findall(r'<a href="([^"]+)">[^<]+</a> <b>(\d+)</b>', hotspots)  # estates and repeated addresses
    small = page.split('id="small-sample"')[1].split("</ul>")[0]
    figures += re.findall(r'<a href="([^"]+)">[^<]+</a> · (\d+) 件', small)
    assert len(figures) >= 5 + 10 + 1 + 2 + 1
    assert any("address_rank=" in href for href, _ in figures) and any("estate=" in href for href, _ in figures)
    for href, shown in figures:
        assert drill_count(client, href) == int(shown), href
    # the chart slices (source, category) click down with their filters (static/js/dashboard.js)
    charts = json.loads(re.search(r'id="chart-data" type="application/json">(.*?)</script>', page).group(1))
    for slice_ in charts["source"] + charts["category"]:
        href = f"/dashboard/cases/?{charts['period']}&measure=cases&{slice_['filter']}"
        assert drill_count(client, href) == slice_["value"], slice_


def test_the_leaders_page_drills_down_too(client, street, months):
    client.force_login(street.leader)
    page = get(client, "/").content.decode()
    figures = re.findall(r'data-measure="\w+" href="([^"]+)"><b>(\d+)</b>', page)
    figures += re.findall(r'<li><a href="([^"]+)">[^<]+</a> <b>(\d+)</b></li>', page.split('id="by-state"')[1])
    assert len(figures) >= 5 + 3
    for href, shown in figures:
        assert drill_count(client, href) == int(shown), href


def test_the_lists_show_title_age_and_reason_masked_for_the_leader(client, street, months):
    client.force_login(street.leader)
    page = get(client, "/dashboard/").content.decode()
    unsatisfied = page.split('id="list-unsatisfied"')[1].split("</section>")[0]
    assert months["unhappy"].number in unsatisfied and "问题没有解决" in unsatisfied and "受理 37 天" in unsatisfied
    assert "楼道堆物无人清理" in unsatisfied and "张建国" not in unsatisfied  # the leader sees names masked
    overdue = page.split('id="list-overdue"')[1].split("</section>")[0]
    assert months["late"].number in overdue and "超过办结期限" in overdue
    urged = page.split('id="list-urged"')[1].split("</section>")[0]
    assert "督办 1 次" in urged


def test_a_bad_period_or_measure_answers_422_with_the_message(client, street, months):
    client.force_login(street.leader)
    bad = get(client, "/dashboard/", {"period": "custom", "start": "2026-11-30", "end": "2026-11-01"})
    assert bad.status_code == 422 and 'role="alert"' in bad.content.decode() and "结束日期" in bad.content.decode()
    assert 'id="period-form"' in bad.content.decode()
    leader_home = get(client, "/", {"period": "custom", "start": "2026-11-30"})
    assert leader_home.status_code == 422 and "请填写开始日期和结束日期" in leader_home.content.decode()
    drill = get(client, "/dashboard/cases/", {"measure": "everything"})
    assert drill.status_code == 422 and "不支持的统计口径" in drill.content.decode()


def test_the_auditor_gets_no_drilldown(client, street, months):
    client.force_login(street.auditor)
    assert get(client, "/dashboard/cases/").status_code == 403
