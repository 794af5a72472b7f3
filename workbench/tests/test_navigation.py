"""The main navigation: every role sees the links it saw before the declaration moved out of base.html, and
each link opens a page the access policy lets that role reach."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from chengyun import access_policy
from org.models import Role
from org.tests.factories import GridFactory, UserFactory
from workbench.navigation import ACCOUNT_MENU, NAVIGATION, entries_for, items_for, links_for
from workbench.navigation import MINQING as MINQING_GROUP

pytestmark = pytest.mark.django_db

ALL = ["工作台", "工单", "社区大脑"]
# Issue 16: 接口文档 moved to the account menu (roles that use the API only), 两步验证 too; the 审计员 keeps only the
# audit log (his case list is always empty, his 工作台 is the audit log). 管理后台 follows the staff flag, which the
# administrator accounts carry.
# --- issue18 nav ---
# Issue 18: the 民情 pages, each to the roles its page admits (the registry's readers; 民生主题 the leaders and centre).
MINQING = ["民情需求", "问卷", "十大民生"]
MINQING_ALL = ["民情需求", "问卷", "民生主题", "十大民生"]
# 民情走访 for who visits, 走访覆盖 for the registry's readers, 数据湖 for the centre.
CENTRE = ["民情走访", "走访覆盖", *MINQING_ALL, "数据湖"]
# --- end issue18 nav ---
EXPECTED: dict[str, list[str]] = {
    Role.ADMIN: [*ALL, "情况分析", "登记工单", "12345导入", "社区底册", *CENTRE, "个人信息申请", "管理后台"],
    Role.INTAKE: [*ALL, "登记工单", "12345导入", "社区底册", "走访覆盖", *MINQING],
    Role.DISPATCHER: [*ALL, "情况分析", "登记工单", "12345导入", "社区底册", *CENTRE],
    Role.HANDLER: ALL,
    Role.CALLBACK: [*ALL, "社区底册", "走访覆盖", *MINQING],
    Role.LEADER: [*ALL, "情况分析", "社区底册", "走访覆盖", *MINQING_ALL],
    Role.GRID: [*ALL, "登记工单", "社区底册", "民情走访", "走访覆盖", *MINQING],
    Role.CADRE: [*ALL, "登记工单", "社区底册", "民情走访", "走访覆盖", *MINQING],
    Role.AUDITOR: ["审计日志"],
}
ACCOUNT: dict[str, list[str]] = {role: ["修改密码"] for role in EXPECTED}
ACCOUNT.update({Role.ADMIN: ["修改密码", "两步验证", "接口文档"], Role.LEADER: ["修改密码", "两步验证"],
                Role.DISPATCHER: ["修改密码", "接口文档"], Role.INTAKE: ["修改密码", "接口文档"]})
# Links shown to a role the page then refuses: none (the 审计员's 社区大脑 link was the last one).
SHOWN_BUT_REFUSED: set[tuple[str, str]] = set()
# Pages a role may open but has no use for, so no link: the 审计员 sees no cases (三员分立).
REACHABLE_BUT_UNUSED: set[tuple[str, str]] = {(Role.AUDITOR, "workbench"), (Role.AUDITOR, "cases:list")}


def person(role: str):
    # The scoped roles work in an area (a 居民区, a 网格): 十大民生 refuses an account that has none.
    area = {}
    if role in (Role.CADRE, Role.GRID):
        grid = GridFactory()
        area = {"neighbourhood": grid.neighbourhood, "grid": grid if role == Role.GRID else None}
    return UserFactory(username=f"nav_{role}", role=role, is_staff=role == Role.ADMIN, **area)


def test_every_login_role_is_listed():
    assert set(EXPECTED) == set(access_policy.HUMAN_ROLES) == set(ACCOUNT)


@pytest.mark.parametrize("role", sorted(access_policy.HUMAN_ROLES))
def test_each_role_sees_its_links(role):
    user = person(role)
    assert [label for label, _ in links_for(user)] == EXPECTED[role]
    assert [label for label, _ in links_for(user, ACCOUNT_MENU)] == ACCOUNT[role]


@pytest.mark.parametrize("role", sorted(access_policy.HUMAN_ROLES))
def test_every_link_of_every_role_opens_for_that_role(client, role):
    user = person(role)
    client.force_login(user)
    for label, url in links_for(user) + links_for(user, ACCOUNT_MENU):
        assert client.get(url).status_code == 200, f"{role}: {label} {url}"


@pytest.mark.parametrize("role", sorted(access_policy.HUMAN_ROLES))
def test_the_nav_shows_exactly_the_declared_pages_the_access_policy_lets_the_role_reach(role):
    user = person(role)
    shown = {entry.url_name for entry in entries_for(user)}
    allowed = {entry.url_name for entry in NAVIGATION
               if access_policy.page_access(entry.url_name).expected(role) == "allowed"}
    known = {name for refused_role, name in SHOWN_BUT_REFUSED if refused_role == role}
    unused = {name for unused_role, name in REACHABLE_BUT_UNUSED if unused_role == role}
    assert shown - allowed == known, "links to pages the role is refused"
    assert allowed - shown == unused, "pages the role may reach but finds no link to"


def test_every_entry_is_a_page_of_the_access_policy():
    assert all(access_policy.page_access(entry.url_name) is not None for entry in NAVIGATION + ACCOUNT_MENU)


@pytest.mark.parametrize("role", sorted(access_policy.HUMAN_ROLES))
def test_the_page_header_renders_the_roles_links(client, role):
    user = person(role)
    client.force_login(user)
    html = client.get(reverse("password_change")).content.decode()
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav) == [(url, label) for label, url in links_for(user)]
    menu = re.search(r'<div class="account-links"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert re.findall(r'<a href="([^"]+)" role="menuitem">([^<]+)</a>', menu) == [
        (url, label) for label, url in links_for(user, ACCOUNT_MENU)]
    assert "接口文档" not in nav


def test_no_nav_for_anonymous_visitors(client):
    assert 'class="mainnav"' not in client.get(reverse("login")).content.decode()


def test_base_html_compares_no_role_names():
    base = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    assert "user.role" not in base and not any(f'"{role}"' in base for role in Role.values)


# --- issue18 nav ---
def test_the_minqing_pages_are_one_drop_down_where_the_first_stands(client):
    user = person(Role.ADMIN)
    items = items_for(user)
    labels = [item.label for item in items]
    assert labels.index(MINQING_GROUP) == labels.index("社区底册") + 1
    group = items[labels.index(MINQING_GROUP)]
    assert [label for label, _ in group.links] == CENTRE and not group.url
    client.force_login(user)
    html = client.get(reverse("password_change")).content.decode()
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S).group(1)
    drop_down = re.search(r'<details class="navgroup">\s*<summary>民情</summary>(.*?)</details>', nav, re.S).group(1)
    assert re.findall(r'>([^<]+)</a>', drop_down) == CENTRE


def test_a_group_of_which_the_role_sees_one_link_is_a_plain_link(monkeypatch):
    from workbench import navigation

    only = navigation.NavEntry("民情需求", "minqing_needs:list", frozenset({Role.CADRE}), group=MINQING_GROUP)
    monkeypatch.setattr(navigation, "NAVIGATION", (navigation.NAVIGATION[0], only))
    items = navigation.items_for(person(Role.CADRE), navigation.NAVIGATION)
    assert [(item.label, item.url, item.links) for item in items][1] == ("民情需求", reverse("minqing_needs:list"), ())


def test_each_group_is_declared_in_one_run_so_the_bar_keeps_the_declared_order():
    groups = [entry.group for entry in NAVIGATION if entry.group]
    runs = [g for i, g in enumerate(groups) if i == 0 or groups[i - 1] != g]
    assert len(runs) == len(set(runs))
# --- end issue18 nav ---
