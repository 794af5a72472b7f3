"""民情走访 pages: 今日走访, the visit form (every field, needs rows, errors in the page), list, detail with history
and correction, plans, coverage; insider/outsider (another 居民区's cadre, handler, auditor, anonymous); masking and
the audit of clear views; the coverage summary on the cadre's and the leader's home pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from minqing.models import Need, Visit, VisitPlan
from registry.models import Person

from . import factories as need_factories
from . import visit_factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(street):
    return f.household(street)


def login(client, user):
    client.force_login(user)
    return client


def test_today_lists_my_open_targets_by_due_date_with_overdue_marked(client, street, home):
    late = f.household(street, "愚园路120弄3号202室", head="李建华")
    f.plan(street, households=[home], title="本月计划")
    f.plan(street, households=[late], starts_on=f.today() - timedelta(days=40), due_on=f.today() - timedelta(days=2),
           title="上月计划")
    html = login(client, street.cadre).get(reverse("minqing_visits:today")).content.decode()
    assert html.index("上月计划") < html.index("本月计划")
    assert "已逾期" in html and f"household={home.pk}" in html and "登记走访" in html
    assert "王秀英" not in html  # the list shows addresses only
    other = login(client, street.grid_user).get(reverse("minqing_visits:today")).content.decode()
    assert "本月计划" not in other  # not the grid user's plan


def test_today_shows_each_door_once_with_every_plan_that_waits_for_it(client, street, home):
    f.plan(street, households=[home], title="本月独居老人走访")
    f.plan(street, households=[home], title="全年每户走访", due_on=f.today() + timedelta(days=200))
    html = login(client, street.cadre).get(reverse("minqing_visits:today")).content.decode()
    assert html.count(f"household={home.pk}") == 1 and "待走访(1 户/家)" in html
    row = html.split('class="target', 1)[1].split("</li>", 1)[0]
    assert row.index("本月独居老人走访") < row.index("全年每户走访")


def test_the_form_records_a_visit_with_a_need_and_shows_errors_in_the_page(client, street, home):
    login(client, street.cadre)
    url = reverse("minqing_visits:new")
    page = client.get(url, {"household": home.pk}).content.decode()
    assert "王秀英" in page and "name=\"companions\"" in page and "name=\"need_text\"" in page
    head = Person.objects.get(name="王秀英")
    category = need_factories.category()
    data = {"household": home.pk, "visited_on": (f.today() + timedelta(days=1)).isoformat(),
            "visitors": [street.cadre.pk, street.grid_user.pk], "companions": "楼组长张阿姨", "outcome": "met",
            "met_person": head.pk, "notes": "老人反映上下楼困难", "need_category": [category.pk],
            "need_urgency": ["high"], "need_text": ["希望加装电梯"]}
    bad = client.post(url, data)
    assert bad.status_code == 422 and "走访日期不能晚于今天" in bad.content.decode()
    assert "楼组长张阿姨" in bad.content.decode() and "希望加装电梯" in bad.content.decode()  # kept
    assert not Visit.objects.exists()
    data["visited_on"] = f.today().isoformat()
    response = client.post(url, data)
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("minqing_visits:detail", args=[visit.pk])
    assert Need.objects.get().visit_id == visit.pk and visit.companions == "楼组长张阿姨"
    detail = client.get(response["Location"]).content.decode()
    assert "希望加装电梯" in detail and "登记走访" in detail and "楼组长张阿姨" in detail


def test_need_row_fragment(client, street):
    need_factories.category()
    html = login(client, street.cadre).get(reverse("minqing_visits:need-row"), HTTP_HX_REQUEST="true").content
    assert b'name="need_text"' in html and "加装电梯".encode() in html


def test_list_detail_correct_and_history(client, street, home):
    visit = f.visit(street, home, notes="王秀英电话13912345678", outcome="absent")
    login(client, street.cadre)
    assert "13912345678" in client.get(reverse("minqing_visits:list")).content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL_DATA, object_type="visit").exists()
    response = client.post(reverse("minqing_visits:correct", args=[visit.pk]), {"outcome": "met", "notes": "补记",
                                                                               "reason": ""})
    assert response.status_code == 422 and "请填写更正原因" in response.content.decode()
    client.post(reverse("minqing_visits:correct", args=[visit.pk]), {"outcome": "met", "notes": "补记",
                                                                    "reason": "补记走访情况"})
    html = client.get(reverse("minqing_visits:detail", args=[visit.pk])).content.decode()
    assert "更正走访" in html and "补记走访情况" in html and "未遇" in html  # old outcome kept in the history
    # the leader reads the list masked
    masked = login(client, street.leader).get(reverse("minqing_visits:list")).content.decode()
    assert "13912345678" not in masked and "已脱敏" in masked


def test_plan_pages(client, street, home):
    login(client, street.cadre)
    url = reverse("minqing_visits:plan-new")
    assert client.get(url).status_code == 200
    data = {"title": "手工计划", "neighbourhood": street.neighbourhood.pk, "assignee": street.cadre.pk,
            "rule": "manual", "households": f"H{home.pk}", "starts_on": f.today().isoformat(),
            "due_on": (f.today() - timedelta(days=1)).isoformat(), "note": "试点"}
    bad = client.post(url, data)
    assert bad.status_code == 422 and "完成期限不能早于开始日期" in bad.content.decode()
    data["due_on"] = (f.today() + timedelta(days=10)).isoformat()
    response = client.post(url, data)
    plan = VisitPlan.objects.get()
    assert response["Location"] == reverse("minqing_visits:plan-detail", args=[plan.pk])
    assert "制定计划" in client.get(response["Location"]).content.decode()
    assert "手工计划" in client.get(reverse("minqing_visits:plans")).content.decode()
    assert client.post(reverse("minqing_visits:plan-cancel", args=[plan.pk]), {"reason": ""}).status_code == 422
    client.post(reverse("minqing_visits:plan-cancel", args=[plan.pk]), {"reason": "重复"})
    plan.refresh_from_db()
    assert plan.status == VisitPlan.Status.CANCELLED


def test_coverage_page_masked_for_the_leader_clear_and_audited_for_the_cadre(client, street, home):
    html = login(client, street.cadre).get(reverse("minqing_visits:coverage"), {"months": 6}).content.decode()
    assert "愚园路120弄3号201室" in html and "从未走访" in html and "6 个月内未走访的户" in html
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL_DATA, object_type="household").exists()
    leader = login(client, street.leader).get(reverse("minqing_visits:coverage")).content.decode()
    assert "已脱敏" in leader and "201室" not in leader
    bad = client.get(reverse("minqing_visits:coverage"), {"months": 99})
    assert bad.status_code == 422 and "月数应在" in bad.content.decode()


def test_insiders_and_outsiders(client, street, home):
    visit = f.visit(street, home)
    plan = f.plan(street, households=[f.household(street, "愚园路120弄3号202室", head="李建华")])
    other = f.other_cadre(street)
    for user in (other,):  # another 居民区's cadre: 404 on the objects, empty lists
        login(client, user)
        assert client.get(reverse("minqing_visits:detail", args=[visit.pk])).status_code == 404
        assert client.get(reverse("minqing_visits:plan-detail", args=[plan.pk])).status_code == 404
        assert client.post(reverse("minqing_visits:plan-cancel", args=[plan.pk]), {"reason": "x"}).status_code == 404
        assert "愚园路" not in client.get(reverse("minqing_visits:list")).content.decode()
        assert "愚园路" not in client.get(reverse("minqing_visits:coverage")).content.decode()
        assert client.get(reverse("minqing_visits:new"), {"household": home.pk}).status_code == 422
    for user in (street.handler, street.auditor):
        login(client, user)
        for name in ("today", "list", "new", "plans", "plan-new", "coverage"):
            assert client.get(reverse(f"minqing_visits:{name}")).status_code == 403, (user, name)
        assert client.get(reverse("minqing_visits:detail", args=[visit.pk])).status_code == 404
    login(client, street.leader)
    assert client.get(reverse("minqing_visits:new")).status_code == 403
    assert client.get(reverse("minqing_visits:plan-new")).status_code == 403
    assert client.get(reverse("minqing_visits:detail", args=[visit.pk])).status_code == 200
    client.logout()
    for name in ("today", "list", "coverage", "plans"):
        assert "login" in client.get(reverse(f"minqing_visits:{name}"))["Location"]


def test_home_pages_show_the_coverage_summary(client, street, home):
    f.plan(street, households=[home])
    cadre = login(client, street.cadre).get(reverse("workbench")).content.decode()
    assert 'id="visit-coverage-summary"' in cadre and "我的计划对象 0/1" in cadre
    leader = login(client, street.leader).get(reverse("workbench")).content.decode()
    assert 'id="visit-coverage-summary"' in leader and "已脱敏" in leader


def test_the_form_links_the_questionnaires_and_offers_todays_answers_to_attach(client, street, home):
    from .test_visits_record import submission

    mine = submission(street, home)  # filled by the cadre today, for this household
    other = submission(street, home, by=street.grid_user)  # someone else's: not offered
    login(client, street.cadre)
    page = client.get(reverse("minqing_visits:new"), {"household": home.pk}).content.decode()
    assert f"/questionnaires/basics/fill/?household={home.pk}&amp;prefill=1&amp;next=" in page
    assert f'name="submissions" value="{mine.pk}" checked' in page and f'name="submissions" value="{other.pk}"' not in page
    client.post(reverse("minqing_visits:new"), {"household": home.pk, "visited_on": f.today().isoformat(),
                                                "visitors": [street.cadre.pk], "outcome": "met",
                                                "submissions": [mine.pk]})
    assert list(Visit.objects.get().submissions.all()) == [mine]
    # once attached it is no longer offered
    page = client.get(reverse("minqing_visits:new"), {"household": home.pk}).content.decode()
    assert f'name="submissions" value="{mine.pk}"' not in page


def test_list_filters_and_pages(client, street, home):
    from minqing.views.visits import PAGE_SIZE

    second = f.household(street, "愚园路120弄3号202室", head="李建华")
    f.visit(street, home, outcome="refused", actor=street.grid_user)
    for _ in range(PAGE_SIZE):
        f.visit(street, second, outcome="absent")
    login(client, street.cadre)
    url = reverse("minqing_visits:list")
    refused = client.get(url, {"outcome": "refused"}).content.decode()
    assert "201室" in refused and "202室" not in refused
    by_grid = client.get(url, {"visitor": street.grid_user.pk}).content.decode()
    assert "201室" in by_grid and "202室" not in by_grid
    first = client.get(url).content.decode()
    assert f"共 {PAGE_SIZE + 1} 条" in first and "下一页" in first
    assert "201室" in client.get(url, {"page": 2}).content.decode()
    table = client.get(url, {"outcome": "absent"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in table and "202室" in table
