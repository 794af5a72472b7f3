"""Shared fixtures: a small street where every role has an insider and an outsider."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings

from cases import services
from cases.models import Case, Source
from org.models import Department, Role, User
from org.tests.factories import (
    AddressRangeFactory,
    CategoryFactory,
    DepartmentFactory,
    EstateFactory,
    GridFactory,
    NeighbourhoodFactory,
    ResponsibilityRuleFactory,
    UserFactory,
)

# PBKDF2 at production strength costs ~0.2 s a user; tests only need hashing to work.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Imports in the test process write on the test's own connection (its transaction holds the job); tests of
# several writers ask for them, and imports in subprocesses (fault tests) use the production default.
settings.HOTLINE_IMPORT_WRITERS = 1


@pytest.fixture(autouse=True)
def _case_events_at_commit():
    """Case event listeners run where production commits, not never (the test's transaction hides the commit)."""
    from cases.testing import case_events_at_commit

    with case_events_at_commit():
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@dataclass
class Street:
    """One street: two 居民区, two departments and one user per role (handler_other is the outsider)."""

    neighbourhood: object
    other_neighbourhood: object
    grid: object
    other_grid: object
    estate: object
    category: object
    department: Department
    other_department: Department
    co_department: Department
    admin: User
    intake: User
    dispatcher: User
    handler: User
    handler_other: User
    co_handler: User
    callback: User
    leader: User
    grid_user: User
    other_grid_user: User
    cadre: User
    auditor: User

    def new_case(self, **kwargs) -> Case:
        fields = dict(
            actor=self.intake, source=Source.PATROL, title="楼道堆物",
            content="愚园路128弄3号楼道内堆放大量纸板杂物,存在消防隐患。", category=self.category,
            address="愚园路128弄3号", citizen_name="张建国", citizen_phone="13812341234",
        )
        fields.update(kwargs)
        return services.case_register(**fields)

    def dispatched_case(self, **kwargs) -> Case:
        case = self.new_case(**kwargs)
        return services.case_dispatch(actor=self.dispatcher, case=case, lead_department=self.department)

    def signed_case(self, **kwargs) -> Case:
        return services.case_sign(actor=self.handler, case=self.dispatched_case(**kwargs))

    def handling_case(self, **kwargs) -> Case:
        return services.case_record_first_contact(
            actor=self.handler, case=self.signed_case(**kwargs), method="phone", outcome="已电话联系诉求人,约定上门时间"
        )

    def handled_case(self, **kwargs) -> Case:
        return services.case_finish(actor=self.handler, case=self.handling_case(**kwargs), result="已清理堆物")

    def called_back_case(self, satisfaction: str = "satisfied", **kwargs) -> Case:
        return services.case_callback(
            actor=self.callback, case=self.handled_case(**kwargs), satisfaction=satisfaction, solved=True,
            first_contacted=True, remarks="" if satisfaction != "unsatisfied" else "问题没有解决",
        )


def _registry_tags() -> None:
    """The registry's tag list comes with its migration (registry 0002); a module that flushed the database (the
    demo tests) took those rows with it, so the street puts them back as a fresh database has them."""
    import importlib

    from registry.models import Tag

    migration = importlib.import_module("registry.migrations.0002_append_only_and_tags")
    if Tag.objects.count() < len(migration.TAGS):
        for order, (name, description) in enumerate(migration.TAGS):
            Tag.objects.get_or_create(name=name, defaults={"description": description, "order": order * 10})


@pytest.fixture
def street(db) -> Street:
    _registry_tags()
    neighbourhood = NeighbourhoodFactory(name="金坛居民区", code="JT")
    other_neighbourhood = NeighbourhoodFactory(name="新码居民区", code="XM")
    grid = GridFactory(name="金坛1网格", neighbourhood=neighbourhood)
    other_grid = GridFactory(name="新码1网格", neighbourhood=other_neighbourhood)
    estate = EstateFactory(name="愚园小区", neighbourhood=neighbourhood, grid=grid)
    AddressRangeFactory(estate=estate, road="愚园路", first=100, last=168)
    category = CategoryFactory(name="楼道堆物")
    department = DepartmentFactory(name="城管中队")
    other_department = DepartmentFactory(name="静安物业", kind=Department.Kind.PROPERTY)
    co_department = DepartmentFactory(name="金坛居委会", kind=Department.Kind.RESIDENTS_COMMITTEE, neighbourhood=neighbourhood)
    ResponsibilityRuleFactory(category=category, lead_department=department)
    return Street(
        neighbourhood=neighbourhood, other_neighbourhood=other_neighbourhood, grid=grid, other_grid=other_grid,
        estate=estate, category=category, department=department, other_department=other_department,
        co_department=co_department,
        admin=UserFactory(username="t_admin", role=Role.ADMIN, is_staff=True, is_superuser=True),
        intake=UserFactory(username="t_intake", role=Role.INTAKE),
        dispatcher=UserFactory(username="t_dispatcher", role=Role.DISPATCHER),
        handler=UserFactory(username="t_handler", role=Role.HANDLER, department=department),
        handler_other=UserFactory(username="t_handler_other", role=Role.HANDLER, department=other_department),
        co_handler=UserFactory(username="t_co_handler", role=Role.HANDLER, department=co_department),
        callback=UserFactory(username="t_callback", role=Role.CALLBACK),
        leader=UserFactory(username="t_leader", role=Role.LEADER),
        grid_user=UserFactory(username="t_grid", role=Role.GRID, grid=grid),
        other_grid_user=UserFactory(username="t_grid_other", role=Role.GRID, grid=other_grid),
        cadre=UserFactory(username="t_cadre", role=Role.CADRE, neighbourhood=neighbourhood),
        auditor=UserFactory(username="t_auditor", role=Role.AUDITOR),
    )

