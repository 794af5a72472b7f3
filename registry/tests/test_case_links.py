"""A case's 诉求人 ↔ a registry person: suggestions by phone, name + address and name alone; decisions by the roles
that see both sides clear; rejected pairs never suggested again; the panel on the case page (CASE_PAGE_PANELS)."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Case
from org.services import api_token_create
from registry import services
from registry.case_links import case_link_suggestions, case_link_suggestions_all
from registry.models import CaseLink, ChangeRecord

pytestmark = pytest.mark.django_db


def test_phone_is_strongest_then_name_and_address_then_name_alone(street, resident, household):
    namesake = services.person_create(actor=street.dispatcher, name="张建国",
                                      household=services.household_create(actor=street.dispatcher,
                                                                          address="愚园路128弄9号101室"))
    case = street.new_case()  # 张建国, 13812341234, 愚园路128弄3号
    ranked = case_link_suggestions(case)
    assert [s.person for s in ranked] == [resident, namesake]
    assert ranked[0].score == 1.0 and ranked[0].strong and "电话一致" in ranked[0].reasons
    assert ranked[1].reasons == ["姓名一致", "同路同弄"]
    by_name = case_link_suggestions(street.new_case(citizen_phone="13000000000", address="愚园路128弄3号501室"))
    assert by_name[0].person == resident and by_name[0].reasons == ["姓名一致", "住址一致(到室)"]
    weak = case_link_suggestions(street.new_case(citizen_phone="", address="南京西路1号"))
    assert {s.score for s in weak} == {0.3} and not any(s.strong for s in weak)


def test_a_rejected_pair_is_not_suggested_again(street, resident):
    case = street.new_case()
    services.case_link_decide(actor=street.dispatcher, case=case, person=resident, linked=False)
    assert case_link_suggestions(case) == []
    assert list(case_link_suggestions_all([case], min_score=0)) == []


def test_bulk_suggestions_for_the_demo_loader(street, resident):
    first, second = street.new_case(), street.new_case(citizen_name="无名氏", citizen_phone="13000000001")
    found = dict(case_link_suggestions_all())
    assert set(found) == {first} and found[first][0].person == resident
    services.case_link_decide(actor=street.dispatcher, case=first, person=resident, linked=True)
    assert dict(case_link_suggestions_all()) == {}
    assert second.pk


def test_the_case_page_shows_the_panel_and_a_dispatcher_links_with_htmx(client, street, resident):
    case = street.new_case()
    client.force_login(street.dispatcher)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "诉求人与社区底册" in html and f'data-link="{resident.pk}"' in html
    response = client.post(reverse("registry:case-link-decide", args=[case.pk]),
                           {"person": resident.pk, "decision": "linked"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "已关联该人员" in response.content.decode()
    link = CaseLink.objects.get(case=case)
    assert link.decision == "linked" and link.household is not None
    assert ChangeRecord.objects.filter(object_id=resident.pk, action="link_case").exists()
    page = client.get(reverse("registry:person", args=[resident.pk])).content.decode()
    assert case.number in page  # the person's repeated complaints
    household = client.get(reverse("registry:household", args=[link.household_id])).content.decode()
    assert case.number in household


def test_a_second_link_is_refused_with_its_message(client, street, resident, household):
    other = services.person_create(actor=street.dispatcher, name="张建国", household=household)
    case = street.new_case()
    services.case_link_decide(actor=street.dispatcher, case=case, person=resident, linked=True)
    client.force_login(street.callback)
    response = client.post(reverse("registry:case-link-decide", args=[case.pk]),
                           {"person": other.pk, "decision": "linked"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "已关联其他人员" in response.content.decode()
    response = client.post(reverse("registry:case-link-decide", args=[case.pk]), {"person": "x", "decision": "linked"})
    assert response.status_code == 422 and "请选择底册中的人员" in response.content.decode()


def test_masked_roles_cannot_decide_and_see_only_the_linked_person_masked(client, street, resident):
    case = street.new_case()
    client.force_login(street.leader)
    assert "诉求人与社区底册" not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert client.post(reverse("registry:case-link-decide", args=[case.pk]),
                       {"person": resident.pk, "decision": "linked"}).status_code == 403
    assert client.get(reverse("registry:case-link", args=[case.pk])).status_code == 403
    services.case_link_decide(actor=street.dispatcher, case=case, person=resident, linked=True)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "已关联" in html and "张**" in html and "data-link" not in html


def test_a_cadre_of_another_neighbourhood_sees_neither_case_nor_link(client, street, resident):
    case = street.new_case()
    services.case_link_decide(actor=street.dispatcher, case=case, person=resident, linked=True)
    street.cadre.neighbourhood = street.other_neighbourhood
    street.cadre.save()
    client.force_login(street.cadre)
    assert client.get(reverse("registry:case-link", args=[case.pk])).status_code == 404
    assert client.get(reverse("registry:person", args=[resident.pk])).status_code == 404


def test_the_api_decides_and_refuses_masked_roles(street, resident):
    case = street.new_case()
    url = f"/api/registry/cases/{case.pk}/links"
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=street.intake)[1]}")
    response = client.post(url, json.dumps({"person_id": resident.pk, "decision": "linked"}),
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["decision"] == "linked"
    leader = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=street.leader)[1]}")
    response = leader.post(url, json.dumps({"person_id": resident.pk, "decision": "rejected"}),
                           content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert Case.objects.get(pk=case.pk).registry_links.get().decision == "linked"
