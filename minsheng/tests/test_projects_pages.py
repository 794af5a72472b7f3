from datetime import date

from django.test import Client

from minsheng.models import Project

from .factories import household_with_head, need_of, project


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_public_page_shows_public_projects_and_no_personal_data(street):
    household, person = household_with_head(street, name="王秀英", phone="13900001111")
    p = project(street, public_summary="为12个门栋加装电梯")
    p.needs.add(need_of(street, household, text="王秀英家老人上下楼困难"))
    project(street, rank=2, title="内部项目", is_public=False)
    page = Client().get("/minsheng/2026/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "老旧小区加装电梯" in html and "为12个门栋加装电梯" in html and "完成方案设计" in html
    assert street.department.name in html
    for secret in ("内部项目", "王秀英", "13900001111", "愚园路120弄", "上下楼困难"):
        assert secret not in html
    assert Client().get("/minsheng/").status_code == 302


def test_the_list_and_detail_for_insiders_and_outsiders(street):
    household, person = household_with_head(street, name="王秀英", phone="13900001111")
    p = project(street)
    p.needs.add(need_of(street, household, person=person))
    html = _client(street.dispatcher).get("/minsheng/projects/?year=2026").content.decode()
    assert "老旧小区加装电梯" in html
    leader_page = _client(street.leader).get(f"/minsheng/projects/{p.pk}/").content.decode()
    assert "完成方案设计" in leader_page and "王秀英" not in leader_page and "王*" in leader_page
    cadre_page = _client(street.cadre).get(f"/minsheng/projects/{p.pk}/").content.decode()
    assert "王秀英" in cadre_page  # a cadre sees its own 居民区's households clear (audited)
    assert _client(street.handler).get(f"/minsheng/projects/{p.pk}/").status_code == 403
    assert _client(street.auditor).get("/minsheng/projects/").status_code == 403
    assert _client(street.cadre).get("/minsheng/projects/new/").status_code == 403
    assert Client().get("/minsheng/projects/").status_code == 302


def test_overdue_milestones_show_in_red(street):
    project(street, milestones=[{"title": "早该完成", "due_on": date(2020, 1, 1)}])
    html = _client(street.leader).get("/minsheng/projects/?year=2026").content.decode()
    assert '<span class="ms-overdue">早该完成' in html


def test_create_form_and_a_taken_rank_message(street):
    client = _client(street.leader)
    form = {"year": 2026, "rank": 3, "title": "菜场改造", "owner_department": street.department.pk, "budget": "80",
            "description": "改造菜场", "public_summary": "改造菜场", "is_public": "on",
            "milestones": "2026-05-01 完成设计\n2026-09-30 完成改造"}
    response = client.post("/minsheng/projects/new/", form)
    assert response.status_code == 302
    created = Project.objects.get(title="菜场改造")
    assert created.milestones.count() == 2 and created.is_public
    response = client.post("/minsheng/projects/new/", {**form, "title": "重复序号"})
    assert response.status_code == 409 and "2026年第3号项目已存在" in response.content.decode()
    response = client.post("/minsheng/projects/new/", {**form, "milestones": "明天 做事"})
    assert response.status_code == 422 and "日期应写成" in response.content.decode()
