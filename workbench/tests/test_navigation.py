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
from org.tests.factories import UserFactory
from workbench.navigation import NAVIGATION, entries_for, links_for

pytestmark = pytest.mark.django_db

ALL = ["工作台", "工单", "社区大脑"]
# The links each role saw when base.html compared role names itself (管理后台 follows the staff flag, which the
# administrator accounts carry).
BEFORE: dict[str, list[str]] = {
    Role.ADMIN: [*ALL, "情况分析", "登记工单", "12345导入", "个人信息申请", "接口文档", "管理后台", "两步验证"],
    Role.INTAKE: [*ALL, "登记工单", "12345导入", "接口文档"],
    Role.DISPATCHER: [*ALL, "情况分析", "登记工单", "12345导入", "接口文档"],
    Role.HANDLER: [*ALL, "接口文档"],
    Role.CALLBACK: [*ALL, "接口文档"],
    Role.LEADER: [*ALL, "情况分析", "接口文档", "两步验证"],
    Role.GRID: [*ALL, "登记工单", "接口文档"],
    Role.CADRE: [*ALL, "登记工单", "接口文档"],
    # The 审计员 saw 社区大脑 too and got the 403 page there (he sees no cases, 三员分立): the link is gone now.
    Role.AUDITOR: ["工作台", "工单", "审计日志", "接口文档"],
}
# Links shown to a role the page then refuses: none (the 审计员's 社区大脑 link was the last one).
SHOWN_BUT_REFUSED: set[tuple[str, str]] = set()


def person(role: str):
    return UserFactory(username=f"nav_{role}", role=role, is_staff=role == Role.ADMIN)


def test_every_login_role_is_listed():
    assert set(BEFORE) == set(access_policy.HUMAN_ROLES)


@pytest.mark.parametrize("role", sorted(access_policy.HUMAN_ROLES))
def test_each_role_sees_the_links_it_saw_before(role):
    assert [label for label, _ in links_for(person(role))] == BEFORE[role]


@pytest.mark.parametrize("role", sorted(access_policy.HUMAN_ROLES))
def test_the_nav_shows_exactly_the_declared_pages_the_access_policy_lets_the_role_reach(role):
    user = person(role)
    shown = {entry.url_name for entry in entries_for(user)}
    allowed = {entry.url_name for entry in NAVIGATION
               if access_policy.page_access(entry.url_name).expected(role) == "allowed"}
    known = {name for refused_role, name in SHOWN_BUT_REFUSED if refused_role == role}
    assert shown - allowed == known, "links to pages the role is refused"
    assert allowed - shown == set(), "pages the role may reach but finds no link to"


def test_every_entry_is_a_page_of_the_access_policy():
    assert all(access_policy.page_access(entry.url_name) is not None for entry in NAVIGATION)


@pytest.mark.parametrize("role", sorted(access_policy.HUMAN_ROLES))
def test_the_page_header_renders_the_roles_links(client, role):
    user = person(role)
    client.force_login(user)
    html = client.get(reverse("password_change")).content.decode()
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav) == [(url, label) for label, url in links_for(user)]


def test_no_nav_for_anonymous_visitors(client):
    assert 'class="mainnav"' not in client.get(reverse("login")).content.decode()


def test_base_html_compares_no_role_names():
    base = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    assert "user.role" not in base and not any(f'"{role}"' in base for role in Role.values)
