"""The registry's secrets never reach a masked reader: one person whose every field (and the notes, the timeline,
the household, the unit) holds personal data, read through every registry page, the API, the exports and the case
page's 诉求人 panel by each masked role. Any secret in any answer fails, and the answer is named."""

import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from org.services import api_token_create
from registry import services

NAME, PHONE, PHONE_ALT, NOTE_PHONE = "欧阳锦华", "13912345678", "021-62489876", "13787654321"
ROOM = "7号302"  # 愚园路128弄7号302室: the house number and the room


@pytest.fixture
def secrets(street, valid_id):
    household = services.household_create(actor=street.dispatcher, address=f"愚园路128弄{ROOM}室", housing="rented",
                                          tenant_count=4, notes=f"房东{NAME},电话{NOTE_PHONE}")
    number = valid_id("31010619500308123")
    person = services.person_create(actor=street.dispatcher, name=NAME, id_number=number, phone=PHONE,
                                    phone_alt=PHONE_ALT, household=household, relation="head",
                                    notes=f"{NAME}独居,儿子电话{NOTE_PHONE},住128弄{ROOM}室", tags=["独居老人"])
    services.person_update(actor=street.dispatcher, person=person, phone="13912345679", note=f"{NAME}换号")
    services.person_update(actor=street.dispatcher, person=person, phone=PHONE)
    unit = services.unit_create(actor=street.dispatcher, name="锦华杂货店", address="愚园路130弄1号", operator=person,
                                phone="13900001234", notes=f"经营者{NAME} {PHONE}")
    services.unit_contact_set(actor=street.dispatcher, unit=unit, person=person, role="店长")
    case = street.new_case(citizen_name=NAME, citizen_phone=PHONE, address=f"愚园路128弄{ROOM}室",
                           content="楼道堆物,请处理。")
    services.case_link_decide(actor=street.dispatcher, case=case, person=person, linked=True)
    return {"person": person, "household": household, "unit": unit, "case": case,
            "texts": [NAME, PHONE, "62489876", NOTE_PHONE, number, number[6:14], ROOM, "1950-03-08"]}


def _text(response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c)
    body = response.content.decode()
    return json.dumps(json.loads(body), ensure_ascii=False) if response["Content-Type"].startswith("application/json") \
        else body


@pytest.mark.parametrize("role", ["leader", "grid_user", "cadre", "admin"])
def test_no_secret_reaches_a_masked_role(street, secrets, role):
    user = getattr(street, role)
    person, household, unit, case = (secrets[k] for k in ("person", "household", "unit", "case"))
    page = Client()
    page.force_login(user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)[1]}")
    reads = {
        "人员列表": page.get("/registry/"), "人员列表(姓名检索)": page.get("/registry/", {"q": NAME}),
        "人员详情": page.get(f"/registry/persons/{person.pk}/"),
        "修改人员(未说明目的)": page.get(f"/registry/persons/{person.pk}/edit/"),
        "户列表": page.get("/registry/households/"), "户详情": page.get(f"/registry/households/{household.pk}/"),
        "单位列表": page.get("/registry/units/"), "单位详情": page.get(f"/registry/units/{unit.pk}/"),
        "人员选择": page.get("/registry/persons/pick/", {"q": NAME}),
        "人员导出": page.get("/registry/persons/export.xlsx"), "户导出": page.get("/registry/households/export.xlsx"),
        "单位导出": page.get("/registry/units/export.xlsx"),
        "工单页诉求人关联": page.get(f"/registry/cases/{case.pk}/link/"),
        "工单页": page.get(f"/cases/{case.pk}/"),
        "API 人员列表": api.get("/api/registry/persons"), "API 人员详情": api.get(f"/api/registry/persons/{person.pk}"),
        "API 户列表": api.get("/api/registry/households"),
        "API 户详情": api.get(f"/api/registry/households/{household.pk}"),
        "API 单位列表": api.get("/api/registry/units"), "API 单位详情": api.get(f"/api/registry/units/{unit.pk}"),
    }
    leaks = []
    for what, response in reads.items():
        if response.status_code in (403, 404):
            continue  # out of this role's reach: nothing shown
        assert response.status_code == 200, (what, response.status_code)
        text = _text(response)
        if what == "人员列表(姓名检索)":
            text = text.replace(f'value="{NAME}"', "")  # the reader's own term in the search box
        leaks += [f"{what}: {secret}" for secret in secrets["texts"] if secret in text]
    assert not leaks, leaks
    # And the role did read something: the lists are not simply empty for it.
    assert "欧**" in _text(reads["人员列表"]) or user.role == "grid"


def test_notes_are_hidden_from_masked_readers_and_shown_after_a_reveal(street, resident):
    from registry import selectors
    from registry.policy import NOTES_HIDDEN, RegistryMasker

    services.person_update(actor=street.dispatcher, person=resident, notes="腿脚不便,患糖尿病,女儿每周来一次")
    card = selectors.person_card(street.cadre, resident, masker=RegistryMasker(street.cadre))
    assert card["notes"] == NOTES_HIDDEN
    rows = selectors.timeline(street.cadre, entity="person", object_id=resident.pk, masker=RegistryMasker(street.cadre))
    assert "糖尿病" not in str(rows) and NOTES_HIDDEN in str(rows)
    page = Client()
    page.force_login(street.leader)
    assert "糖尿病" not in page.get(f"/registry/persons/{resident.pk}/").content.decode()
    assert "糖尿病" not in _text(page.get("/registry/persons/export.xlsx"))
    revealed = selectors.person_card(street.cadre, resident, masker=RegistryMasker(street.cadre, revealed=True))
    assert "糖尿病" in revealed["notes"]


def test_a_units_history_names_its_name_not_a_persons(street):
    unit = services.unit_create(actor=street.dispatcher, name="万福咖啡馆", address="愚园路130弄1号")
    services.unit_update(actor=street.dispatcher, unit=unit, name="万福咖啡馆餐饮店")
    page = Client()
    page.force_login(street.dispatcher)
    body = page.get(f"/registry/units/{unit.pk}/").content.decode()
    assert "名称</span>:万福咖啡馆 → 万福咖啡馆餐饮店" in body and "姓名</span>" not in body
