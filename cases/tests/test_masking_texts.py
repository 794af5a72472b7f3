"""Issue 14: one masker for every text, search that can't de-anonymise, personal data only on active assignments,
and the audit of list views, the timeline and the address check."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEntry
from cases import policy, selectors, services
from cases.selectors import CaseFilters
from cases.tests.secret_case import HOUSE, ID_NUMBER, NAME, PHONE, leaked
from org.services import api_token_create

pytestmark = pytest.mark.django_db

MASKED = ["leader", "grid_user", "cadre", "admin"]


def views_of_personal_data(user=None):
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL_DATA)
    return entries.filter(actor=user) if user is not None else entries


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)[1]}")


# --- mask_text and the one masker ---------------------------------------------------------------------------


def test_mask_text_masks_id_card_numbers_including_a_final_x():
    assert policy.mask_text("身份证110101199003077777。") == "身份证110101********7777。"
    assert policy.mask_text("证件号 31010419851231002X") == "证件号 310104********002X"
    assert policy.mask_text("工单号 JAS-2026-000001") == "工单号 JAS-2026-000001"


def test_mask_text_masks_the_citizen_phone_as_stored_even_when_no_pattern_matches_it():
    text = "请回电 021-6248 1234 找张先生"
    assert "021-6248 1234" in policy.mask_text(text)  # the landline pattern doesn't see a number split by a space
    assert "6248 1234" not in policy.mask_text(text, citizen_phone="021-6248 1234")


def test_the_case_masker_walks_every_string_of_a_payload(street):
    case = street.new_case(citizen_name=NAME, citizen_phone=PHONE)
    payload = {"request_reason": f"{NAME}说{PHONE}", "nested": {"list": [f"身份证{ID_NUMBER}", 3, None]},
               "pair": (f"愚园路{HOUSE}3号", True)}
    masked = policy.mask_for(street.leader, case, payload)
    assert not leaked(str(masked))
    assert masked["nested"]["list"][1:] == [3, None] and masked["pair"][1] is True
    assert policy.mask_for(street.dispatcher, case, payload) == payload


# --- events and request reasons --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", MASKED)
def test_a_return_reason_in_the_events_api_and_on_the_timeline_is_masked(street, who):
    case = street.dispatched_case(citizen_name=NAME, citizen_phone=PHONE)
    services.case_request_return(actor=street.handler, case=case, reason=f"诉求人{NAME}电话{PHONE}要求别的单位处理")
    services.case_reject_return(actor=street.dispatcher, case=case, reason=f"已与{NAME}({PHONE})核实")
    user = getattr(street, who)
    events = api(user).get(f"/api/cases/{case.pk}/events").json()
    rejected = next(e for e in events if e["action"] == "reject_return")
    assert rejected["payload"]["request_reason"] == "诉求人李**电话139****6666要求别的单位处理"
    assert not leaked(str(events))
    assert not leaked(web(user).get(f"/cases/{case.pk}/").content.decode())
    assert not views_of_personal_data().exists()


def test_the_events_api_audits_an_unmasked_timeline_once_per_request(street):
    case = street.dispatched_case(citizen_name=NAME, citizen_phone=PHONE)
    services.case_request_return(actor=street.handler, case=case, reason=f"{NAME}要求别的单位处理")
    client = api(street.handler)
    for _ in range(2):
        assert NAME in str(client.get(f"/api/cases/{case.pk}/events").json())
    entries = views_of_personal_data(street.handler)
    assert list(entries.values_list("object_type", "object_id")) == [("case_events", case.number)] * 2


def test_the_events_api_does_not_audit_a_timeline_without_personal_data(street):
    case = street.new_case(citizen_name="", citizen_phone="", content="路灯不亮", address="")
    api(street.dispatcher).get(f"/api/cases/{case.pk}/events")
    assert not views_of_personal_data().exists()


def test_the_dispatcher_desk_masks_request_reasons_for_the_admin(street):
    case = street.dispatched_case(citizen_name=NAME, citizen_phone=PHONE)
    services.case_request_return(actor=street.handler, case=case, reason=f"{NAME}({PHONE})不同意本单位处理")
    assert f"{NAME}({PHONE})" in web(street.dispatcher).get("/").content.decode()
    admin_page = web(street.admin).get("/").content.decode()
    assert "李**(139****6666)不同意本单位处理" in admin_page and not leaked(admin_page)


# --- search --------------------------------------------------------------------------------------------------------


@pytest.fixture
def searched(street):
    return street.new_case(title=f"{NAME}反映楼道堆物", content=f"{NAME}(身份证{ID_NUMBER},电话{PHONE})反映愚园路"
                           f"{HOUSE}3号楼道堆物。", citizen_name=NAME, citizen_phone=PHONE, address=f"愚园路{HOUSE}3号")


PROBES = [PHONE, PHONE[-8:], NAME, f"{NAME}反映", HOUSE, f"愚园路{HOUSE}", ID_NUMBER, ID_NUMBER[6:14]]


@pytest.mark.parametrize("who", MASKED)
@pytest.mark.parametrize("q", PROBES)
def test_a_masked_role_cannot_find_a_case_by_what_masking_hides(street, searched, who, q):
    assert not selectors.case_list(getattr(street, who), CaseFilters(q=q)).filter(pk=searched.pk).exists()


@pytest.mark.parametrize("q", PROBES)
def test_the_dispatcher_finds_the_case_by_each_of_them(street, searched, q):
    assert selectors.case_list(street.dispatcher, CaseFilters(q=q)).filter(pk=searched.pk).exists()


@pytest.mark.parametrize("who", MASKED)
def test_a_masked_role_still_finds_cases_by_number_words_and_road(street, searched, who):
    user = getattr(street, who)
    for q in (searched.number, "楼道堆物", "愚园路"):
        assert selectors.case_list(user, CaseFilters(q=q)).filter(pk=searched.pk).exists(), q


def test_search_refusal_holds_on_the_api_and_the_list_page(street, searched):
    assert api(street.leader).get("/api/cases", {"q": PHONE}).json()["count"] == 0
    assert api(street.dispatcher).get("/api/cases", {"q": PHONE}).json()["count"] == 1
    assert searched.number not in web(street.grid_user).get("/cases/", {"q": NAME}).content.decode()
    assert searched.number in web(street.dispatcher).get("/cases/", {"q": NAME}).content.decode()


# --- a department that handed the case back ----------------------------------------------------------------------


@pytest.fixture
def handed_back(street):
    case = street.dispatched_case(content=f"{NAME}电话{PHONE}反映愚园路{HOUSE}3号楼道堆物", citizen_name=NAME,
                                  citizen_phone=PHONE)
    services.case_request_return(actor=street.handler, case=case, reason="不属于本单位")
    services.case_approve_return(actor=street.dispatcher, case=case, reason="同意")
    return services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.other_department)


def test_a_department_whose_share_ended_sees_the_history_masked_and_cannot_act(street, handed_back):
    assert not policy.sees_personal_data(street.handler, handed_back)
    data = selectors.case_personal_data(street.handler, handed_back)
    assert data.masked and data.citizen_phone == "139****6666" and not leaked(f"{data}")
    detail = api(street.handler).get(f"/api/cases/{handed_back.pk}").json()
    assert detail["personal_data_masked"] and detail["available_actions"] == [] and not leaked(str(detail))
    page = web(street.handler).get(f"/cases/{handed_back.pk}/").content.decode()
    assert handed_back.number in page and not leaked(page) and "当前没有您可以执行的操作" in page
    assert not leaked(str(api(street.handler).get(f"/api/cases/{handed_back.pk}/events").json()))
    assert not selectors.case_list(street.handler, CaseFilters(q=PHONE)).exists()
    assert not views_of_personal_data(street.handler).exists()


def test_the_department_now_in_charge_sees_the_personal_data(street, handed_back):
    data = selectors.case_personal_data(street.handler_other, handed_back)
    assert not data.masked and data.citizen_phone == PHONE
    assert selectors.case_list(street.handler_other, CaseFilters(q=PHONE)).filter(pk=handed_back.pk).exists()


# --- address check, lists and the dashboard ----------------------------------------------------------------------


@pytest.mark.parametrize("who", MASKED)
def test_the_address_check_masks_titles_for_masked_roles_without_audit(street, searched, who):
    html = web(getattr(street, who)).get("/work/address/", {"address": f"愚园路{HOUSE}3号"}).content.decode()
    assert searched.number in html and "李**反映楼道堆物" in html and NAME not in html
    assert not views_of_personal_data().exists()


def test_the_address_check_audits_unmasked_titles_with_personal_data(street, searched):
    html = web(street.dispatcher).get("/work/address/", {"address": f"愚园路{HOUSE}3号"}).content.decode()
    assert f"{NAME}反映楼道堆物" in html
    entry = views_of_personal_data(street.dispatcher).get()
    assert (entry.object_type, entry.object_id) == ("address_check", searched.number)


def test_a_list_page_showing_personal_data_writes_one_audit_entry_per_view(street):
    # Five case numbers are longer than AuditEntry.object_id (64): they go into the detail.
    cases = [street.dispatched_case(title=f"{NAME}反映楼道堆物", citizen_name=NAME) for _ in range(5)]
    street.dispatched_case(title="路灯不亮")  # no personal data in its title: not named in the entry
    client = web(street.handler)
    for _ in range(2):
        html = client.get("/cases/").content.decode()
        assert html.count(f"{NAME}反映楼道堆物") == 5
    entries = views_of_personal_data(street.handler)
    assert entries.count() == 2 and {e.object_type for e in entries} == {"case_list"}
    entry = entries.first()
    assert set(entry.detail["cases"]) == {c.number for c in cases} and entry.object_id.endswith("等 5 件")
    web(street.leader).get("/cases/")
    assert not views_of_personal_data(street.leader).exists()


def test_the_handler_workbench_queue_is_audited_once_per_page_view(street):
    street.dispatched_case(title=f"{NAME}反映楼道堆物", citizen_name=NAME)
    assert NAME in web(street.handler).get("/").content.decode()
    assert list(views_of_personal_data(street.handler).values_list("object_type", flat=True)) == ["workbench_queue"]


def test_the_intake_workbench_shows_its_recent_titles_with_one_audit_entry(street):
    case = street.new_case(title=f"{NAME}反映楼道堆物", citizen_name=NAME)
    assert f"{NAME}反映楼道堆物" in web(street.intake).get("/").content.decode()
    entry = views_of_personal_data(street.intake).get()
    assert (entry.object_type, entry.object_id) == ("workbench_recent", case.number)


def test_the_dashboard_masks_repeated_addresses_for_masked_roles(street):
    for _ in range(2):
        street.new_case(address="愚园路128弄3号")
    leader = web(street.leader).get("/dashboard/?period=this_month").content.decode()
    assert "愚园路xx弄x号" in leader and "愚园路128弄3号" not in leader and "128" not in leader.split("同一地址重复反映")[1]
    assert "愚园路128弄3号" in web(street.dispatcher).get("/dashboard/?period=this_month").content.decode()


def test_the_handler_export_masks_the_case_it_handed_back_and_keeps_its_own(client, street, handed_back):
    from io import BytesIO

    from openpyxl import load_workbook

    mine = street.dispatched_case()
    client.force_login(street.handler)
    exported = {r[0]: r for r in list(load_workbook(BytesIO(client.get("/cases/export.xlsx").content)).active.values)[1:]}
    assert exported[handed_back.number][13] == "139****6666" and exported[handed_back.number][5] == "愚园路xx弄x号"
    assert exported[mine.number][13] == "13812341234"
