"""The main navigation and the account menu: one declaration of the links, the pages they open and the roles
that see them.

templates/base.html renders `nav_items` and `account_links` (workbench/context_processors.py), so the template
holds no role names. A role sees only what it may open and use: the 审计员 (who sees no cases) gets no 工作台 or
工单 links, and 接口文档 sits in the account menu of the roles that work through the API.
Each entry's roles are the shared groups the page itself checks (org/roles.py, the transition table), and
workbench/tests/test_navigation.py compares every role's links with chengyun/access_policy.py.
Entries that share a `group` (the 民情 pages of issue 18) show as one drop-down in the bar, so the bar keeps to a
few rows on a phone; `items_for` gives the bar's shape and `links_for` the same links flat, in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from cases.transitions import TRANSITIONS
from minqing import policy as minqing_policy
from org.models import Role, User
from org.roles import AUDIT_ROLES, HOTLINE_ROLES, KPI_ROLES, OTP_ROLES, PIPL_ROLES, REPORT_ROLES
from registry.policy import READ_ROLES as REGISTRY_ROLES

EVERYONE = frozenset(Role.values)
# The 审计员 sees no case (三员分立): the case list is always empty for him and his 工作台 is the audit log.
CASE_ROLES = EVERYONE - AUDIT_ROLES
# Roles whose work goes through the REST API (12345 and sensor integrations, the centre's scripts): the API's
# documentation is in their account menu. It stays public (chengyun/access_policy.py) for integrators.
API_DOC_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.INTAKE})
# The drop-down of the 民情 pages (issue 18: visits, needs, questionnaires, themes, 十大民生).
MINQING = "民情"


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: frozenset[str] = EVERYONE
    # The admin site lets staff accounts in whatever their role: the link follows the staff flag, as the site does.
    staff_only: bool = False
    # Entries of one group show as one drop-down named after it, where the group's first entry stands.
    group: str = ""

    def shown_to(self, user: User) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        return user.role in self.roles and (user.is_staff or not self.staff_only)


NAVIGATION: tuple[NavEntry, ...] = (
    NavEntry("工作台", "workbench", CASE_ROLES),
    NavEntry("工单", "cases:list", CASE_ROLES),
    NavEntry("社区大脑", "kpi:dashboard", KPI_ROLES),
    NavEntry("情况分析", "reports:archive", REPORT_ROLES),
    NavEntry("登记工单", "cases:new", frozenset(TRANSITIONS["register"].roles)),
    NavEntry("12345导入", "hotline:import", HOTLINE_ROLES),
    NavEntry("社区底册", "registry:persons", REGISTRY_ROLES),
    # 人民情感日志 and 十大民生: each link's roles are exactly those its page admits (minqing/views/visits.py,
    # needs.py and lake.py, questionnaires/views.py, minsheng/views/themes.py and projects.py).
    # 民情走访: who visits (居委干部, 网格员, the centre); 走访覆盖: whoever reads the registry, each in its area.
    NavEntry("民情走访", "minqing_visits:today", minqing_policy.VISIT_ROLES, group=MINQING),
    NavEntry("走访覆盖", "minqing_visits:coverage", minqing_policy.READ_ROLES, group=MINQING),
    NavEntry("民情需求", "minqing_needs:list", minqing_policy.READ_ROLES, group=MINQING),
    NavEntry("问卷", "questionnaires:list", minqing_policy.READ_ROLES, group=MINQING),
    NavEntry("民生主题", "minsheng_themes:list", minqing_policy.THEME_ROLES, group=MINQING),
    NavEntry("十大民生", "minsheng_projects:list", minqing_policy.READ_ROLES, group=MINQING),
    NavEntry("数据湖", "minqing_needs:lake", minqing_policy.LAKE_ROLES, group=MINQING),
    NavEntry("个人信息申请", "privacy:citizen", PIPL_ROLES),
    NavEntry("审计日志", "audit:log", AUDIT_ROLES),
    NavEntry("管理后台", "admin:index", staff_only=True),
)
# The account menu (under the user's name); 退出 is a POST form the template adds.
ACCOUNT_MENU: tuple[NavEntry, ...] = (
    NavEntry("修改密码", "password_change"),
    NavEntry("两步验证", "otp-setup", OTP_ROLES),
    NavEntry("接口文档", "api:openapi-view", API_DOC_ROLES),
)


def entries_for(user: User, menu: tuple[NavEntry, ...] = NAVIGATION) -> list[NavEntry]:
    return [entry for entry in menu if entry.shown_to(user)]


@dataclass(frozen=True)
class NavItem:
    """One item of the bar: a link (label, url) or a drop-down (label = the group, links = its links)."""

    label: str
    url: str = ""
    links: tuple[tuple[str, str], ...] = ()


def items_for(user: User, menu: tuple[NavEntry, ...] = NAVIGATION) -> list[NavItem]:
    """The bar as the user sees it: a group's links gathered where its first entry stands; a group of which the user
    sees one link only shows that link plainly."""
    slots: list[tuple[str, list[tuple[str, str]]]] = []  # (group or "", its links)
    for entry in entries_for(user, menu):
        link = (entry.label, reverse(entry.url_name))
        slot = next((s for s in slots if entry.group and s[0] == entry.group), None)
        if slot is None:
            slots.append((entry.group, [link]))
        else:
            slot[1].append(link)
    return [NavItem(group, links=tuple(links)) if group and len(links) > 1 else NavItem(*links[0])
            for group, links in slots]


def links_for(user: User, menu: tuple[NavEntry, ...] = NAVIGATION) -> list[tuple[str, str]]:
    """(label, URL) of the links the user's navigation (or account menu) shows, in the order the bar shows them."""
    flat: list[tuple[str, str]] = []
    for item in items_for(user, menu):
        flat.extend(item.links or [(item.label, item.url)])
    return flat
