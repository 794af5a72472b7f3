"""Test data for themes: needs of the street's households written straight to the table (their own service is
tested in minqing), themes and members."""

from __future__ import annotations

from datetime import date

from core import clock
from minqing.models import Need, NeedCategory, NeedSource
from minsheng.models import MemberKind, Theme, ThemeMember


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
