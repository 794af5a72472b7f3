"""Factories for the registry: rows are made through the services where history matters (see `registry` fixture)."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from registry.models import Household, HousingStatus, Person, Unit, UnitKind


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"居民{n:04d}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    address = factory.Sequence(lambda n: f"愚园路128弄{n % 50 + 1}号{n + 101}室")
    address_key = factory.SelfAttribute("address")
    road = "愚园路"
    housing = HousingStatus.OWNER
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试商铺{n}")
    kind = UnitKind.SHOP
    address = factory.Sequence(lambda n: f"愚园路{n + 100}号")
    address_key = factory.SelfAttribute("address")
    road = "愚园路"
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)
