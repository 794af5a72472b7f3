"""Factories for the organisation: a small street with one of everything."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from org.models import AddressRange, Category, Department, Estate, Grid, Neighbourhood, ResponsibilityRule, Role, User

PASSWORD = "chengyun-test-pw"


class NeighbourhoodFactory(DjangoModelFactory):
    class Meta:
        model = Neighbourhood
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试{n}居民区")
    code = factory.Sequence(lambda n: f"NB{n:03d}")


class GridFactory(DjangoModelFactory):
    class Meta:
        model = Grid

    name = factory.Sequence(lambda n: f"第{n}网格")
    code = factory.Sequence(lambda n: f"G{n:03d}")
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"城管中队{n}")
    kind = Department.Kind.CHENGGUAN


class EstateFactory(DjangoModelFactory):
    class Meta:
        model = Estate

    name = factory.Sequence(lambda n: f"测试{n}小区")
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    grid = factory.SubFactory(GridFactory, neighbourhood=factory.SelfAttribute("..neighbourhood"))


class AddressRangeFactory(DjangoModelFactory):
    class Meta:
        model = AddressRange

    estate = factory.SubFactory(EstateFactory)
    road = "愚园路"
    kind = AddressRange.KIND_LANE
    first = 100
    last = 168


class ParentCategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"大类{n}")
    code = factory.Sequence(lambda n: f"P{n:03d}")
    parent = None


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"小类{n}")
    code = factory.Sequence(lambda n: f"C{n:03d}")
    parent = factory.SubFactory(ParentCategoryFactory)
    sign_hours = Decimal("2")
    first_contact_hours = Decimal("9")
    urgent_first_contact_hours = Decimal("2")
    handle_days = 5


class ResponsibilityRuleFactory(DjangoModelFactory):
    class Meta:
        model = ResponsibilityRule

    category = factory.SubFactory(CategoryFactory)
    neighbourhood = None
    lead_department = factory.SubFactory(DepartmentFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.INTAKE
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
