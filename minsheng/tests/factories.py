"""Data for the 十大民生 tests: a household with its head, a need of it, a project answering it."""

from __future__ import annotations

from datetime import date

from minqing.models import NeedCategory, NeedSource
from minqing.services.needs import need_create
from minsheng.services import projects as services
from registry import services as registry_services


def household_with_head(street, address="愚园路120弄3号201室", name="王秀英", phone="13900001111", neighbourhood=None):
    household = registry_services.household_create(actor=street.dispatcher, address=address,
                                                   neighbourhood=neighbourhood or street.neighbourhood)
    person = registry_services.person_create(actor=street.dispatcher, name=name, phone=phone, household=household,
                                             relation="head")
    return household, person


def need_of(street, household, text="老人上下楼困难,希望加装电梯", person=None):
    category, _ = NeedCategory.objects.get_or_create(name="加装电梯")
    return need_create(actor=street.dispatcher, category=category, text=text, source=NeedSource.VISIT,
                       household=household, person=person, raised_on=date(2026, 1, 5))


def project(street, *, year=2026, rank=1, title="老旧小区加装电梯", **kwargs):
    fields = dict(actor=street.leader, year=year, rank=rank, title=title, owner_department=street.department,
                  budget="120.5", milestones=[{"title": "完成方案设计", "due_on": date(2026, 3, 31)},
                                              {"title": "完成施工", "due_on": date(2026, 10, 31)}])
    fields.update(kwargs)
    return services.project_create(**fields)
