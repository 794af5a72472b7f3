"""Household and unit pages: lists with filters, masked house numbers, forms, members and contacts, scope."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from registry import services
from registry.models import ChangeRecord, Entity, Household, Membership, Unit, UnitContact
from registry.tests.html import shows_person

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_household_list_masks_house_numbers_and_refuses_a_house_number_search(client, street, resident, household,
                                                                                other_household):
    login(client, street.cadre)
    html = client.get(reverse("registry:households")).content.decode()
    assert "128弄3号" not in html and "愚园路xx弄x号" in html and "康定路" not in html  # the other 居民区's
    html = client.get(reverse("registry:households"), {"q": "愚园路128弄"}).content.decode()
    assert "门牌号对您的角色不可见" in html and f"H{household.pk}" in html


def test_household_list_filters(client, street, household, other_household):
    services.household_update(actor=street.dispatcher, household=other_household, crowded_rental=True)
    login(client, street.dispatcher)
    html = client.get(reverse("registry:households"), {"crowded": "on"}).content.decode()
    assert "康定路900弄2号101室" in html and "愚园路128弄3号501室" not in html
    html = client.get(reverse("registry:households"), {"housing": "owner", "neighbourhood": street.neighbourhood.pk,
                                                       "q": "愚园"}).content.decode()
    assert "愚园路128弄3号501室" in html and "康定路" not in html


def test_household_page_masks_members_for_a_grid_worker_and_shows_cases_and_history(client, street, resident,
                                                                                    household):
    login(client, street.grid_user)
    html = client.get(reverse("registry:household", args=[household.pk])).content.decode()
    assert "张建国" not in html and "张**" in html and "501" not in html and "变更记录" in html
    assert "查看完整信息" in html
    response = client.post(reverse("registry:household-reveal", args=[household.pk]), {"purpose": "safety"})
    assert "张建国" in response.content.decode() and "愚园路128弄3号501室" in response.content.decode()
    entry = AuditEntry.objects.get(object_type="registry.household")
    assert entry.detail["purpose"] == "安全/应急处置"


def test_an_outsider_gets_404_for_households_and_units(client, street, other_household):
    unit = services.unit_create(actor=street.dispatcher, name="康定便利店", address="康定路900弄1号",
                                neighbourhood=street.other_neighbourhood)
    login(client, street.cadre)
    for name, pk in (("registry:household", other_household.pk), ("registry:household-edit", other_household.pk),
                     ("registry:unit", unit.pk), ("registry:unit-edit", unit.pk)):
        assert client.get(reverse(name, args=[pk])).status_code == 404
    assert client.post(reverse("registry:household-member", args=[other_household.pk]),
                       {"person": "x"}).status_code == 404
    assert client.post(reverse("registry:unit-contact", args=[unit.pk]), {"person": "x"}).status_code == 404


def test_create_a_household_with_every_field(client, street):
    login(client, street.cadre)
    response = client.post(reverse("registry:household-new"), {
        "address": "上海市静安区愚园路128弄7号302室", "neighbourhood": "", "housing": "rented", "tenant_count": "4",
        "rental_start": "2026-01-01", "rental_end": "2026-12-31", "crowded_rental": "on", "notes": "二房东出租"})
    assert response.status_code == 302
    household = Household.objects.get(address_key="愚园路128弄7号302室")
    assert household.crowded_rental and household.tenant_count == 4 and household.neighbourhood == street.neighbourhood
    response = client.post(reverse("registry:household-new"), {"address": "愚园路128弄7号302室", "housing": "owner"})
    assert response.status_code == 409 and "已登记为一户" in response.content.decode()
    response = client.post(reverse("registry:household-new"), {
        "address": "愚园路128弄8号", "housing": "rented", "rental_start": "2026-05-01", "rental_end": "2026-01-01"})
    assert response.status_code == 422 and "租赁截止日期不能早于起始日期" in response.content.decode()


def test_edit_a_household_writes_history_and_refuses_a_stale_version(client, street, household):
    login(client, street.dispatcher)
    url = reverse("registry:household-edit", args=[household.pk])
    form = {"housing": "vacant", "tenant_count": "", "rental_start": "", "rental_end": "", "notes": "空置待售",
            "version": household.version}
    assert client.post(url, form).status_code == 302
    record = ChangeRecord.objects.filter(entity=Entity.HOUSEHOLD, object_id=household.pk, action="update").get()
    assert record.changes["housing"] == ["自住", "空置"]
    response = client.post(url, {**form, "notes": "又改"})
    assert response.status_code == 409 and "已被他人修改" in response.content.decode()


def test_members_join_and_leave(client, street, household, resident):
    newcomer = services.person_create(actor=street.dispatcher, name="赵六")
    login(client, street.dispatcher)
    url = reverse("registry:household-member", args=[household.pk])
    assert client.post(url, {"person": f"P{newcomer.pk}", "relation": "tenant", "note": "租住"}).status_code == 302
    assert Membership.objects.get(person=newcomer, ended_at__isnull=True).household == household
    response = client.post(url, {"person": "不存在的人", "relation": "other"})
    assert response.status_code == 422 and "底册中没有名为" in response.content.decode()
    assert client.post(url, {"out": f"P{newcomer.pk}"}).status_code == 302
    html = client.get(reverse("registry:household", args=[household.pk])).content.decode()
    assert "曾住成员" in html and "赵六" in html


def test_units_create_edit_contacts_and_masked_operator(client, street, resident, valid_id):
    login(client, street.cadre)
    response = client.post(reverse("registry:unit-new"), {
        "name": "金坛小吃店", "credit_code": "91310106MA1FL0BA2K", "kind": "restaurant", "address": "愚园路128弄1号",
        "neighbourhood": "", "operator": f"P{resident.pk}", "phone": "021-62480000", "status": "open",
        "notes": "油烟净化器已装"})
    html = response.content.decode()
    if response.status_code != 302:  # a wrong check character is said next to its field
        assert "统一社会信用代码" in html and response.status_code == 422
        response = client.post(reverse("registry:unit-new"), {
            "name": "金坛小吃店", "credit_code": "", "kind": "restaurant", "address": "愚园路128弄1号",
            "operator": f"P{resident.pk}", "phone": "021-62480000", "status": "open", "notes": "油烟净化器已装"})
    assert response.status_code == 302
    unit = Unit.objects.get(name="金坛小吃店")
    assert unit.operator == resident and unit.neighbourhood == street.neighbourhood
    html = client.get(reverse("registry:unit", args=[unit.pk])).content.decode()
    assert "张**" in html and "张建国" not in html and resident.phone not in html
    contact = services.person_create(actor=street.dispatcher, name="钱七", phone="13700001111",
                                     household=services.household_create(actor=street.dispatcher,
                                                                         address="愚园路128弄9号101室"))
    url = reverse("registry:unit-contact", args=[unit.pk])
    assert client.post(url, {"person": f"P{contact.pk}", "role": "安全员"}).status_code == 302
    assert UnitContact.objects.get(unit=unit).role == "安全员"
    assert client.post(url, {"remove": f"P{contact.pk}"}).status_code == 302
    assert not UnitContact.objects.exists()
    edit = reverse("registry:unit-edit", args=[unit.pk])
    assert "查看并修改" in client.get(edit).content.decode()
    html = client.post(edit, {"step": "reveal", "purpose": "verify"}).content.decode()
    assert f'value="P{resident.pk}"' in html
    unit.refresh_from_db()
    response = client.post(edit, {"name": "金坛小吃店", "credit_code": "", "kind": "restaurant",
                                  "address": "愚园路128弄1号", "operator": "", "phone": "", "status": "suspended",
                                  "notes": "", "version": unit.version})
    assert response.status_code == 302 and Unit.objects.get(pk=unit.pk).status == "suspended"


def test_unit_list_filters(client, street):
    services.unit_create(actor=street.dispatcher, name="甲餐馆", kind="restaurant", address="愚园路128弄1号")
    services.unit_create(actor=street.dispatcher, name="乙学校", kind="school", address="愚园路128弄2号")
    login(client, street.leader)
    html = client.get(reverse("registry:units"), {"kind": "school"}).content.decode()
    assert "乙学校" in html and "甲餐馆" not in html
    html = client.get(reverse("registry:units"), {"q": "餐馆", "status": "open"}).content.decode()
    assert "甲餐馆" in html and "乙学校" not in html


def test_household_notes_and_history_are_masked_and_a_clear_view_is_audited(client, street, resident, household):
    services.household_update(actor=street.dispatcher, household=household,
                              notes="房东张建国,电话13600001111")
    login(client, street.cadre)
    html = client.get(reverse("registry:household", args=[household.pk])).content.decode()
    # A masked reader learns that there is a note, not what it says (free text holds what patterns can't find).
    assert "13600001111" not in html and "张建国" not in html and "房东" not in html and "有备注,查看完整信息后可见" in html
    assert not AuditEntry.objects.filter(object_type="registry.household").exists()
    login(client, street.callback)
    html = client.get(reverse("registry:household", args=[household.pk])).content.decode()
    assert "13600001111" in html
    entry = AuditEntry.objects.get(object_type="registry.household", object_id=str(household.pk))
    assert entry.detail["purpose"] == "岗位职责(回访员)"


def test_a_unit_edit_writes_its_history(client, street, resident):
    unit = services.unit_create(actor=street.dispatcher, name="甲餐馆", kind="restaurant", address="愚园路128弄1号")
    login(client, street.dispatcher)
    response = client.post(reverse("registry:unit-edit", args=[unit.pk]), {
        "name": "甲餐馆(新)", "credit_code": "", "kind": "restaurant", "address": "愚园路128弄1号",
        "operator": "张建国", "phone": "02162480000", "status": "open", "notes": "已换招牌", "version": unit.version})
    assert response.status_code == 302
    record = ChangeRecord.objects.filter(entity=Entity.UNIT, object_id=unit.pk, action="update").get()
    assert record.changes["name"] == ["甲餐馆", "甲餐馆(新)"] and record.changes["operator"] == [None, "张建国"]
    response = client.post(reverse("registry:unit-edit", args=[unit.pk]), {
        "name": "甲餐馆", "kind": "restaurant", "address": "愚园路128弄1号", "operator": "P999999",
        "status": "open", "version": unit.version + 1})
    assert response.status_code == 422 and "没有编号为 P999999 的人员" in response.content.decode()


def test_the_person_picker_lists_the_readers_persons_masked(client, street, resident, other_household):
    services.person_create(actor=street.dispatcher, name="张外区", household=other_household)
    login(client, street.cadre)
    html = client.get(reverse("registry:person-pick"), {"pick_q": "张", "target": "id_operator"}).content.decode()
    assert f'data-pick="P{resident.pk}"' in html and 'data-target="id_operator"' in html
    assert "张建国" not in html and "张外区" not in html and "张**" in html
    html = client.get(reverse("registry:person-pick"), {"pick_q": resident.phone, "target": "x"}).content.decode()
    assert f"P{resident.pk}" in html  # a 居委干部 may look a phone up (audited)
    login(client, street.leader)
    html = client.get(reverse("registry:person-pick"), {"pick_q": resident.phone}).content.decode()
    assert "不能按电话" in html and not shows_person(html, resident)
    html = client.get(reverse("registry:person-pick"), {"pick_q": "张", "target": "<script>"}).content.decode()
    assert "<script>" not in html
