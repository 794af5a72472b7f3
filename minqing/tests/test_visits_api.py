"""/api/minqing/visits, /visit-plans, /visit-coverage: scope and masking as the pages, clear answers audited, the
visit created through the same service (needs, plan targets), refusals in the project's error format."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from audit.models import AuditEntry
from minqing.models import Need, Visit
from org.services import api_token_create
from registry.models import Person

from . import factories as need_factories
from . import visit_factories as f

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)[1]}")


def post(user, path, body):
    return api(user).post(path, data=json.dumps(body), content_type="application/json")


def test_create_a_visit_with_a_need_and_read_it_back(street):
    home = f.household(street)
    plan = f.plan(street, households=[home])
    head = Person.objects.get(name="王秀英")
    body = {"household_id": home.pk, "visited_on": f.today().isoformat(), "visitor_ids": [street.cadre.pk],
            "companions": "志愿者小李", "met_person_id": head.pk, "outcome": "met", "notes": "王秀英电话13912345678",
            "needs": [{"category_id": need_factories.category().pk, "urgency": "medium", "text": "希望加装电梯"}]}
    response = post(street.cadre, "/api/minqing/visits", body)
    assert response.status_code == 201, response.content
    visit = Visit.objects.get()
    assert response.json()["needs"] == [Need.objects.get().pk] and plan.targets.get().visit_id == visit.pk
    clear = api(street.cadre).get("/api/minqing/visits").json()
    assert clear["count"] == 1 and "13912345678" in clear["results"][0]["notes"] and clear["masked"] is False
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL_DATA, object_type="visit").exists()
    masked = api(street.leader).get("/api/minqing/visits").json()
    assert masked["masked"] is True and "13912345678" not in json.dumps(masked, ensure_ascii=False)
    plans = api(street.cadre).get("/api/minqing/visit-plans").json()
    assert plans["results"][0]["done"] == 1 and plans["results"][0]["targets"] == 1


def test_errors_and_refusals(street):
    home = f.household(street)
    outsider = f.household(street, "康定路5号101室", nb=street.other_neighbourhood)
    future = {"household_id": home.pk, "visited_on": (f.today() + timedelta(days=1)).isoformat(), "outcome": "met"}
    bad = post(street.cadre, "/api/minqing/visits", future)
    assert bad.status_code == 422 and bad.json()["message"] == "走访日期不能晚于今天"
    refused = post(street.cadre, "/api/minqing/visits", {**future, "household_id": outsider.pk,
                                                         "visited_on": f.today().isoformat()})
    assert refused.status_code == 403
    assert post(street.handler, "/api/minqing/visits", {**future, "visited_on": f.today().isoformat()}
                ).status_code == 403
    assert not Visit.objects.exists()
    assert api(street.auditor).get("/api/minqing/visits").status_code == 403
    assert Client().get("/api/minqing/visit-coverage").status_code == 401
    assert api(street.cadre).get("/api/minqing/visit-coverage?months=0").status_code == 422


def test_coverage_scoped_and_masked(street):
    f.household(street)
    f.household(street, "康定路5号101室", nb=street.other_neighbourhood, head="钱多多")
    mine = api(street.cadre).get("/api/minqing/visit-coverage?months=6").json()
    assert [r["neighbourhood"] for r in mine["by_neighbourhood"]] == ["金坛居民区"]
    assert mine["not_visited"]["count"] == 1 and "201室" in mine["not_visited"]["results"][0]["address"]
    street_wide = api(street.leader).get("/api/minqing/visit-coverage").json()
    assert street_wide["not_visited"]["count"] == 2 and street_wide["masked"] is True
    assert "201室" not in json.dumps(street_wide, ensure_ascii=False)
    other = f.other_cadre(street)
    assert api(other).get("/api/minqing/visit-coverage").json()["not_visited"]["count"] == 1
