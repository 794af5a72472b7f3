"""Every configuration change made in Django admin is audited: saves, deletes, bulk deletes, inline rows."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from audit.adminlib import AuditedAdmin
from audit.models import AuditEntry
from org.models import AddressRange, Neighbourhood
from org.tests.factories import NeighbourhoodFactory

pytestmark = pytest.mark.django_db


def config_changes():
    return AuditEntry.objects.filter(action=AuditEntry.Action.CONFIG_CHANGE)


def test_every_admin_model_that_can_be_changed_audits_its_changes(street):
    request = RequestFactory().get("/admin/")
    request.user = street.admin
    unaudited = [
        model._meta.label for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedAdmin) and (
            model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request))
    ]
    assert unaudited == []


def test_a_bulk_delete_from_the_list_is_audited(client, street):
    doomed = [NeighbourhoodFactory(name=f"临时居民区{n}", code=f"TMP{n}") for n in range(2)]
    client.force_login(street.admin)
    response = client.post(reverse("admin:org_neighbourhood_changelist"), {
        "action": "delete_selected", "_selected_action": [n.pk for n in doomed], "post": "yes"})
    assert response.status_code == 302
    assert not Neighbourhood.objects.filter(code__startswith="TMP").exists()
    entries = config_changes().filter(object_type="neighbourhood")
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(str(n.pk) for n in doomed)
    assert all(e.detail["bulk"] for e in entries)


def test_inline_rows_are_audited(client, street):
    client.force_login(street.admin)
    url = reverse("admin:org_estate_change", args=[street.estate.pk])
    existing = AddressRange.objects.get(estate=street.estate)
    response = client.post(url, {
        "name": street.estate.name, "neighbourhood": street.neighbourhood.pk, "grid": street.grid.pk,
        "property_company": "",
        "address_ranges-TOTAL_FORMS": 2, "address_ranges-INITIAL_FORMS": 1, "address_ranges-MIN_NUM_FORMS": 0,
        "address_ranges-MAX_NUM_FORMS": 1000,
        "address_ranges-0-id": existing.pk, "address_ranges-0-estate": street.estate.pk,
        "address_ranges-0-road": "愚园路", "address_ranges-0-kind": "弄", "address_ranges-0-first": 100,
        "address_ranges-0-last": 168,
        "address_ranges-1-estate": street.estate.pk, "address_ranges-1-road": "镇宁路", "address_ranges-1-kind": "弄",
        "address_ranges-1-first": 1, "address_ranges-1-last": 20,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = config_changes().get(object_type="addressrange")
    assert entry.detail["created"] == ["镇宁路 1–20弄"] and entry.object_id == str(street.estate.pk)


def test_a_password_set_by_the_administrator_is_audited(client, street):
    client.force_login(street.admin)
    url = reverse("admin:auth_user_password_change", args=[street.leader.pk])
    response = client.post(url, {"password1": "Xq7-long-enough-pw", "password2": "Xq7-long-enough-pw"})
    assert response.status_code == 302
    entry = config_changes().get(object_type="user")
    assert (entry.object_id, entry.detail) == (str(street.leader.pk), {"change": "password"})
