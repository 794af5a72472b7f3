"""A street with a trained classifier: three categories, their closed cases and the matrix."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest

from cases.models import Case, Source, State
from core import clock
from dispatch import selectors, services
from dispatch.models import ClassifierVersion
from org.models import Category, Department
from org.tests.factories import CategoryFactory, DepartmentFactory, ResponsibilityRuleFactory

TEXTS = {
    "楼道堆物": ["{a}楼道内堆放大量纸板旧家具,占用消防通道", "{a}楼道里被邻居堆满杂物,老人上下楼容易绊倒",
                 "{a}楼梯口堆了很多纸箱和旧自行车,堵住通道"],
    "群租": ["{a}一套两室户被二房东隔成六间出租,住了十几个人", "{a}楼上房屋群租,隔断房里用电量大,晚上吵闹",
             "{a}疑似群租,每天有很多陌生人进出,隔断间出租"],
    "房屋渗漏": ["{a}楼上卫生间漏水,渗到我家天花板,墙皮脱落", "{a}顶楼屋面渗漏,下雨天家里要用盆接水",
                 "{a}外墙渗水,卧室墙面发霉"],
}
_numbers = itertools.count(1)


@dataclass
class Trained:
    street: object
    categories: dict[str, Category]
    housing: Department
    police: Department
    version: ClassifierVersion


def closed_case(street, category: Category, content: str, *, address: str = "愚园路120弄3号",
                lead: Department | None = None, days_ago: int = 90) -> Case:
    """A closed case straight in the table: training only reads content, final category and lead."""
    moment = clock.now() - timedelta(days=days_ago)
    return Case.objects.create(
        number=f"T-{next(_numbers):06d}", source=Source.PATROL, title=content[:20], content=content,
        category=category, address=address, neighbourhood=street.neighbourhood, estate=street.estate, grid=street.grid,
        state=State.CLOSED, registered_at=moment, closed_at=moment + timedelta(days=3),
        lead_department=lead or street.department, created_by=street.intake,
    )


@pytest.fixture(autouse=True)
def _fresh_caches():
    selectors.reset_caches()
    yield
    selectors.reset_caches()


@pytest.fixture
def trained(street) -> Trained:
    return build_trained(street)


def build_trained(street) -> Trained:
    street.category.keywords = "堆物,楼道,消防通道"
    street.category.save()
    housing = DepartmentFactory(name="房管办", kind=Department.Kind.HOUSING)
    police = DepartmentFactory(name="派出所", kind=Department.Kind.POLICE)
    group = CategoryFactory(name="群租", keywords="群租,隔断,二房东")
    rule = ResponsibilityRuleFactory(category=group, lead_department=housing)
    rule.co_departments.set([police])
    leak = CategoryFactory(name="房屋渗漏", keywords="渗水,漏水,屋顶")
    ResponsibilityRuleFactory(category=leak, lead_department=street.other_department)  # a 物业公司
    categories = {"楼道堆物": street.category, "群租": group, "房屋渗漏": leak}
    leads = {"楼道堆物": street.department, "群租": housing, "房屋渗漏": street.other_department}
    for name, templates in TEXTS.items():
        for n in range(8):
            text = templates[n % len(templates)].format(a=f"愚园路{100 + n}弄{n + 1}号")
            closed_case(street, categories[name], text, lead=leads[name])
    version = services.classifier_train()
    return Trained(street, categories, housing, police, version)
