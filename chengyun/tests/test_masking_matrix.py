"""Every text a role can read about a case, × every role that sees cases masked: none of the citizen's name, phone,
ID-card number or house number appears — in the case page (timeline, requests, 协办 reports, attachments,
related cases), the API detail, the API timeline, the API attachment list, the API list and the /cases/ list.
The dispatcher, whose work needs them, sees each of them, and each view is audited.

The secrets sit in the title, content, address, handling result, event notes and event payloads (request reasons,
explanations, attachment names), request reasons and the 协办 report (cases/tests/secret_case.py)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from audit.models import AuditEntry
from cases.tests.secret_case import SECRETS, leaked, secret_cases
from org.services import api_token_create

pytestmark = pytest.mark.django_db

MASKED_ROLES = ["leader", "grid_user", "cadre", "admin"]


def reads(user, cases) -> dict[str, str]:
    """What this user gets from every page and API operation that shows texts of the two cases."""
    web = Client()
    web.force_login(user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)[1]}")
    finished, pending = cases.finished, cases.pending
    out = {}
    for name, client, url in [
        ("case page", web, f"/cases/{finished.pk}/"), ("case page (pending 退单)", web, f"/cases/{pending.pk}/"),
        ("/cases/ list", web, "/cases/"), ("API detail", api, f"/api/cases/{finished.pk}"),
        ("API events", api, f"/api/cases/{finished.pk}/events"), ("API pending events", api, f"/api/cases/{pending.pk}/events"),
        ("API attachments", api, f"/api/cases/{finished.pk}/attachments"), ("API list", api, "/api/cases"),
        ("address check", web, f"/work/address/?address=愚园路{SECRETS[3]}3号"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        text = response.content.decode()
        out[name] = json.dumps(response.json(), ensure_ascii=False) if url.startswith("/api/") else text
    return out


def personal_data_views(user) -> list[str]:
    return list(AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=user)
                .values_list("object_type", flat=True))


@pytest.mark.parametrize("who", MASKED_ROLES)
def test_no_secret_reaches_a_masked_role_anywhere(street, who):
    cases = secret_cases(street)
    user = getattr(street, who)
    leaks = {name: leaked(text) for name, text in reads(user, cases).items() if leaked(text)}
    assert not leaks, f"{who} reads personal data in: {leaks}"
    assert personal_data_views(user) == []


def test_the_dispatcher_reads_every_secret_and_each_view_is_audited(street):
    cases = secret_cases(street)
    got = reads(street.dispatcher, cases)
    for name in ("case page", "API detail", "API events"):
        assert leaked(got[name]) == list(SECRETS), name
    assert "待审退单" in got["case page (pending 退单)"] and leaked(got["case page (pending 退单)"]) == list(SECRETS)
    assert SECRETS[1] in got["API attachments"]  # the photo was named after the phone number
    # The /cases/ list and the address check show unmasked titles (the name and the house number are in the title).
    assert {SECRETS[0], SECRETS[3]} <= set(leaked(got["/cases/ list"]))
    assert {SECRETS[0], SECRETS[3]} <= set(leaked(got["address check"]))
    # The API list is masked for everyone (a list is not a reason to read personal data; the detail is).
    assert leaked(got["API list"]) == []
    views = personal_data_views(street.dispatcher)
    assert views.count("case") == 3  # two case pages and the API detail
    assert views.count("case_events") == 4  # each timeline read unmasked: both pages and both API calls
    assert {"case_list", "address_check", "case_related"} <= set(views)
