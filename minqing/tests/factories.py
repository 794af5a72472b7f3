"""Test data of 民情 needs: a category, a household with its head in the street's 居民区, a need."""

from __future__ import annotations

from minqing.models import NeedCategory, NeedSource
from minqing.services.needs import need_create
from registry import services as registry_services


def category(name: str = "加装电梯", **kwargs) -> NeedCategory:
    return NeedCategory.objects.get_or_create(name=name, defaults=kwargs)[0]


def household(street, address: str = "愚园路120弄3号201室", *, neighbourhood=None, head: str = "王秀英",
              phone: str = "13912345678"):
    place = registry_services.household_create(actor=street.dispatcher, address=address,
                                               neighbourhood=neighbourhood)
    if head:
        registry_services.person_create(actor=street.dispatcher, name=head, phone=phone, household=place,
                                        relation="head")
    return place


def need(street, *, place=None, actor=None, text: str = "王秀英老人腿脚不便,上下楼困难,希望加装电梯", **kwargs):
    place = place if place is not None else household(street)
    return need_create(actor=actor or street.cadre, category=kwargs.pop("category", None) or category(),
                       text=text, source=kwargs.pop("source", NeedSource.VISIT), household=place, **kwargs)
