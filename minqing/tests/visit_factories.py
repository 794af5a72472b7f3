"""Test data of 民情走访: households (one with a 独居老人), a plan, a visit."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from minqing.models import PlanRule
from minqing.services.plans import visit_plan_create
from minqing.services.visits import visit_record
from org.models import Role
from org.tests.factories import UserFactory
from registry import services as registry_services


def today():
    return timezone.localdate()


def household(street, address="愚园路120弄3号201室", *, head="王秀英", phone="13912345678", tags=(), nb=None):
    place = registry_services.household_create(actor=street.dispatcher, address=address,
                                               neighbourhood=nb or street.neighbourhood)
    if head:
        registry_services.person_create(actor=street.dispatcher, name=head, phone=phone, household=place,
                                        relation="head", tags=tags)
    return place


def alone_elderly(street, address="愚园路120弄3号201室", **kwargs):
    return household(street, address, tags=["独居老人"], **kwargs)


def other_cadre(street):
    return UserFactory(username="t_cadre_other", role=Role.CADRE, neighbourhood=street.other_neighbourhood)


def plan(street, *, households, actor=None, assignee=None, starts_on=None, due_on=None, title="十二月独居老人走访"):
    start = starts_on or today()
    return visit_plan_create(actor=actor or street.cadre, title=title, neighbourhood=street.neighbourhood,
                             assignee=assignee or street.cadre, rule=PlanRule.MANUAL, starts_on=start,
                             due_on=due_on or start + timedelta(days=30), households=households)


def visit(street, place, *, actor=None, outcome="met", on=None, **kwargs):
    actor = actor or street.cadre
    return visit_record(actor=actor, household=place, visited_on=on or today(), visitors=kwargs.pop("visitors", [actor]),
                        outcome=outcome, **kwargs)
