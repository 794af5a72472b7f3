"""查看完整信息: roles that see a case masked reveal it only with a stated reason, and every reveal is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from core.errors import PermissionDenied, ValidationFailed
from privacy.services import case_unmask

pytestmark = pytest.mark.django_db


def reveals():
    return AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL_DATA)


def test_the_leader_sees_the_detail_masked_with_a_form_to_reveal(client, street):
    case = street.new_case()
    client.force_login(street.leader)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "张**" in page and "13812341234" not in page
    assert 'id="unmask-form"' in page
    assert not reveals().exists()


def test_the_leader_reveals_with_a_reason_and_the_reason_is_audited(client, street):
    case = street.new_case()
    client.force_login(street.leader)
    response = client.post(reverse("privacy:unmask", args=[case.pk]), {"reason": "督办需直接联系诉求人"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "张建国" in page and "13812341234" in page and "愚园路128弄3号" in page
    entry = reveals().get()
    assert (entry.actor, entry.object_id, entry.detail) == (
        street.leader, case.number, {"unmask": True, "reason": "督办需直接联系诉求人"})


def test_a_reveal_without_a_reason_is_refused_and_shows_nothing(client, street):
    case = street.new_case()
    client.force_login(street.leader)
    response = client.post(reverse("privacy:unmask", args=[case.pk]), {"reason": "  "})
    assert response.status_code == 422
    assert "13812341234" not in response.content.decode()
    assert "请填写查看理由" in response.content.decode()
    assert not reveals().exists()


def test_a_cadre_cannot_reveal_a_case_of_another_neighbourhood(client, street):
    case = street.new_case(address="", grid=street.other_grid)
    client.force_login(street.cadre)
    assert client.post(reverse("privacy:unmask", args=[case.pk]), {"reason": "上门核实"}).status_code == 404
    assert not reveals().exists()


def test_roles_that_already_see_personal_data_have_no_form(client, street):
    case = street.new_case()
    client.force_login(street.dispatcher)
    assert 'id="unmask-form"' not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_the_service_refuses_roles_outside_the_unmask_roles(street):
    from org.models import Role
    from org.tests.factories import UserFactory

    with pytest.raises(PermissionDenied):
        case_unmask(actor=UserFactory(role=Role.AUDITOR), case=street.new_case(), reason="随便看看")
    with pytest.raises(ValidationFailed):
        case_unmask(actor=street.leader, case=street.new_case(), reason="看")


def test_the_api_reveals_with_a_reason(client, street):
    case = street.new_case()
    client.force_login(street.leader)
    assert client.get(f"/api/cases/{case.pk}").json()["citizen_phone"] == "138****1234"
    response = client.post(f"/api/cases/{case.pk}/unmask", {"reason": "核实诉求人身份"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["citizen_phone"] == "13812341234"
    assert reveals().get().detail["reason"] == "核实诉求人身份"
    refused = client.post(f"/api/cases/{case.pk}/unmask", {"reason": ""}, content_type="application/json")
    assert refused.status_code == 422
