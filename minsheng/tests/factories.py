"""Data for the 十大民生 and theme tests: a household with its head, needs (through the service or straight to the
table: their own service is tested in minqing), a project answering them, themes and members."""

from __future__ import annotations

from datetime import date

from core import clock
from minqing.models import Need, NeedCategory, NeedSource
from minqing.services.needs import need_create
from minsheng.models import MemberKind, Theme, ThemeMember
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



def need(street, text: str, *, category: str = "加装电梯", household=None, neighbourhood=None,
         raised_on: date = date(2026, 6, 1)) -> Need:
    cat, _ = NeedCategory.objects.get_or_create(name=category)
    return Need.objects.create(category=cat, text=text, household=household,
                               neighbourhood=neighbourhood or street.neighbourhood, source=NeedSource.VISIT,
                               raised_on=raised_on, created_at=clock.now(), created_by=street.cadre)


def theme(name: str = "加装电梯", **fields) -> Theme:
    now = clock.now()
    return Theme.objects.create(name=name, created_at=now, updated_at=now, **fields)


def member(theme: Theme, need: Need, *, placed_by_person: bool = False) -> ThemeMember:
    return ThemeMember.objects.create(theme=theme, kind=MemberKind.NEED, need=need, household=need.household,
                                      neighbourhood=need.neighbourhood, occurred_on=need.raised_on,
                                      placed_by_person=placed_by_person)


def theme_with_needs(street, name: str, texts: list[str], **fields) -> Theme:
    t = theme(name, **fields)
    for text in texts:
        member(t, need(street, text))
    from minsheng.services.themes import theme_counts_refresh

    theme_counts_refresh([t.pk])
    t.refresh_from_db()
    return t
