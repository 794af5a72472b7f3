import pytest
from django.urls import reverse

from audit.models import AuditEntry
from minsheng.models import Theme, ThemeEvent
from minsheng.tests import factories


@pytest.fixture
def theme(street):
    return factories.theme_with_needs(street, "加装电梯", ["张建国家老楼想加装电梯", "加装电梯意见征询", "老人爬楼吃力"])


def _client(client, user):
    client.force_login(user)
    return client


def test_the_leader_sees_the_ranked_list_and_a_theme_masked(client, street, theme):
    c = _client(client, street.leader)
    assert "加装电梯" in c.get(reverse("minsheng_themes:list")).content.decode()
    page = c.get(reverse("minsheng_themes:detail", args=[theme.pk])).content.decode()
    assert "theme_actions_extra" not in page and "个人信息已打码" in page and "theme-trend" in page


def test_the_dispatcher_reads_examples_clear_and_it_is_audited(client, street, theme):
    c = _client(client, street.dispatcher)
    assert c.get(reverse("minsheng_themes:detail", args=[theme.pk])).status_code == 200
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL_DATA, object_type="minsheng_theme").exists()


@pytest.mark.parametrize("role", ["cadre", "handler", "grid_user", "auditor", "intake"])
def test_outsiders_are_refused(client, street, theme, role):
    c = _client(client, getattr(street, role))
    assert c.get(reverse("minsheng_themes:list")).status_code == 403
    assert c.get(reverse("minsheng_themes:detail", args=[theme.pk])).status_code == 403
    assert c.post(reverse("minsheng_themes:act", args=[theme.pk]), {"action": "pin"}).status_code == 403
    assert not ThemeEvent.objects.exists()


def test_an_edit_through_the_page_and_a_failed_one_with_its_message(client, street, theme):
    c = _client(client, street.leader)
    url = reverse("minsheng_themes:act", args=[theme.pk])
    response = c.post(url, {"action": "rename", "name": "老旧小区加装电梯", "summary": "多层住宅"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"].endswith(f"/{theme.pk}/")
    assert Theme.objects.get(pk=theme.pk).name == "老旧小区加装电梯"
    failed = c.post(url, {"action": "merge", "into": ""}, HTTP_HX_REQUEST="true")
    assert failed.status_code == 422 and "请选择要并入的另一个主题" in failed.content.decode()


def test_a_run_is_started_from_its_page(client, street, settings):
    c = _client(client, street.leader)
    bad = c.post(reverse("minsheng_themes:runs"), {"period_start": "2026-02-01", "period_end": "2026-01-01"})
    assert bad.status_code == 422 and "截止日期不能早于起始日期" in bad.content.decode()
    response = c.post(reverse("minsheng_themes:runs"), {"period_start": "2026-01-01", "period_end": "2026-01-31"})
    assert response.status_code == 302
    assert c.get(response["Location"]).status_code == 200


def test_the_api_lists_edits_and_refuses_outsiders(client, street, theme):
    c = _client(client, street.leader)
    assert c.get("/api/minsheng/themes").json()["themes"][0]["id"] == theme.pk
    edited = c.post(f"/api/minsheng/themes/{theme.pk}/edit", {"action": "pin"}, content_type="application/json")
    assert edited.status_code == 200 and edited.json()["is_pinned"]
    assert c.post(f"/api/minsheng/themes/{theme.pk}/edit", {"action": "pin"},
                  content_type="application/json").status_code == 409
    c.force_login(street.cadre)
    assert c.get(f"/api/minsheng/themes/{theme.pk}").status_code == 403


def test_the_history_tells_each_edit_in_chinese(client, street, theme):
    c = _client(client, street.leader)
    url = reverse("minsheng_themes:act", args=[theme.pk])
    c.post(url, {"action": "rename", "name": "老旧小区加装电梯", "summary": ""}, HTTP_HX_REQUEST="true")
    c.post(url, {"action": "pin"}, HTTP_HX_REQUEST="true")
    page = c.get(reverse("minsheng_themes:detail", args=[theme.pk])).content.decode()
    history = page.split('id="theme-events"')[1].split("</ul>")[0]
    assert "<strong>置顶</strong>" in history and "<strong>改名</strong>" in history
    assert "「加装电梯」→「老旧小区加装电梯」" in history
    assert "rename" not in history and "pin" not in history
# --- issue18 nav ---
def test_a_theme_becomes_a_project_from_its_page(client, street, theme):
    """立为民生项目: the button opens the project form pre-filled from the theme; the project it makes answers the
    theme's needs, and the theme's page then links to it."""
    theme.summary = "多层住宅老人上下楼难"
    theme.save(update_fields=["summary"])
    c = _client(client, street.leader)
    page = c.get(reverse("minsheng_themes:detail", args=[theme.pk])).content.decode()
    new_url = f"{reverse('minsheng_projects:new')}?theme={theme.pk}"
    assert f'id="theme-to-project" href="{new_url}"' in page and "立为民生项目" in page
    form = c.get(new_url).content.decode()
    assert 'id="from-theme"' in form and 'value="加装电梯"' in form and "多层住宅老人上下楼难</textarea>" in form
    assert f'name="theme" value="{theme.pk}"' in form
    response = c.post(new_url, {"year": 2026, "rank": 2, "title": "加装电梯", "owner_department": street.department.pk,
                                "budget": "300", "description": "多层住宅老人上下楼难", "public_summary": "加装电梯",
                                "is_public": "on", "milestones": "2026-06-30 完成征询", "theme": theme.pk})
    assert response.status_code == 302
    project = theme.projects.get()
    assert project.needs.count() == 3
    page = c.get(reverse("minsheng_themes:detail", args=[theme.pk])).content.decode()
    assert 'id="theme-projects"' in page and "2026年第2号 加装电梯" in page


def test_a_hidden_theme_offers_no_project(client, street, theme):
    theme.status = Theme.Status.HIDDEN
    theme.save(update_fields=["status"])
    page = _client(client, street.dispatcher).get(reverse("minsheng_themes:detail", args=[theme.pk])).content.decode()
    assert "theme-to-project" not in page
# --- end issue18 nav ---
