"""Factories for cases; state changes go through the services, never around them."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.models import Case, Source, State
from org.tests.factories import CategoryFactory, UserFactory


class CaseFactory(DjangoModelFactory):
    """A freshly registered case. Use the `street` fixture's helpers to move it along its lifecycle."""

    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"TST-2026-{n:06d}")
    source = Source.PATROL
    title = "楼道堆物"
    content = "愚园路128弄3号楼道内堆放大量纸板杂物,存在消防隐患,请尽快处理。"
    category = factory.SubFactory(CategoryFactory)
    address = "愚园路128弄3号"
    citizen_name = "张建国"
    citizen_phone = "13812341234"
    state = State.REGISTERED
    registered_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory(UserFactory)
