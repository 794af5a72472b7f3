"""The person pages: scope (an outsider sees nothing, 404), masking of every field, 查看完整信息 with a purpose
(audited, once), edits through the services with their history and the optimistic lock."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from registry import services
from registry.models import ChangeRecord, Entity, Membership, Person
from registry.tests.html import shows_person

pytestmark = pytest.mark.django_db


def secrets(person) -> list[str]:
    return ["张建国", person.phone, person.id_number, person.birth_date.isoformat(), "13987654321", "128弄3号"]


def login(client, user):
    client.force_login(user)
    return client


def views_audited(person_pk=None) -> list[AuditEntry]:
    qs = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL_DATA, object_type="registry.person")
    return list(qs.filter(object_id=str(person_pk)) if person_pk else qs)


@pytest.mark.parametrize("role", ["leader", "cadre", "grid_user", "admin"])
def test_masked_roles_see_no_personal_value_on_the_list_or_the_page(client, street, resident, role):
    login(client, getattr(street, role))
    for url in (reverse("registry:persons"), reverse("registry:person", args=[resident.pk])):
        html = client.get(url).content.decode()
        for secret in secrets(resident):
            assert secret not in html, (url, secret)
    page = client.get(reverse("registry:person", args=[resident.pk])).content.decode()
    assert "张**" in page and "138****1234" in page and "1950年" in page and "查看完整信息" in page
    assert not views_audited()


def test_the_dispatcher_sees_it_clear_and_each_view_is_audited_with_its_purpose(client, street, resident):
    login(client, street.dispatcher)
    html = client.get(reverse("registry:person", args=[resident.pk])).content.decode()
    assert "张建国" in html and resident.id_number in html and "13987654321" in html
    assert "reveal-form" not in html
    client.get(reverse("registry:person", args=[resident.pk]))
    entries = views_audited(resident.pk)
    assert len(entries) == 2 and entries[0].detail["purpose"] == "岗位职责(派单员)"
    client.get(reverse("registry:persons"))
    listed = AuditEntry.objects.get(object_type="registry.person_list")
    assert listed.detail["ids"] == [resident.pk]


def test_a_cadre_of_another_neighbourhood_sees_nothing(client, street, resident):
    street.cadre.neighbourhood = street.other_neighbourhood
    street.cadre.save()
    login(client, street.cadre)
    assert "张" not in client.get(reverse("registry:persons")).content.decode().split("person-table")[1]
    for name in ("registry:person", "registry:person-edit"):
        assert client.get(reverse(name, args=[resident.pk])).status_code == 404
    assert client.post(reverse("registry:person-reveal", args=[resident.pk]), {"purpose": "visit"}).status_code == 404
    assert client.post(reverse("registry:person-move", args=[resident.pk]), {"out": "1"}).status_code == 404
    assert Membership.objects.filter(person=resident, ended_at__isnull=True).exists()


def test_a_handler_has_no_registry(client, street, resident):
    login(client, street.handler)
    assert client.get(reverse("registry:persons")).status_code == 403
    assert client.get(reverse("registry:person", args=[resident.pk])).status_code == 404


def test_a_reveal_without_purpose_is_refused(client, street, resident):
    login(client, street.cadre)
    response = client.post(reverse("registry:person-reveal", args=[resident.pk]), {"purpose": ""})
    assert response.status_code == 422 and "请选择查看目的" in response.content.decode()
    assert "张建国" not in response.content.decode()
    response = client.post(reverse("registry:person-reveal", args=[resident.pk]), {"purpose": "other"})
    assert response.status_code == 422 and "请写明查看目的" in response.content.decode()
    assert not views_audited()


def test_a_reveal_with_purpose_shows_it_once_and_audits_the_purpose(client, street, resident):
    login(client, street.cadre)
    response = client.post(reverse("registry:person-reveal", args=[resident.pk]),
                           {"purpose": "other", "purpose_text": "核对独居老人名单"})
    html = response.content.decode()
    assert response.status_code == 200 and "张建国" in html and resident.id_number in html
    assert "核对独居老人名单" in html
    (entry,) = views_audited(resident.pk)
    assert entry.detail == {"purpose": "其他:核对独居老人名单", "revealed": True} and entry.actor == street.cadre
    assert "张建国" not in client.get(reverse("registry:person", args=[resident.pk])).content.decode()


def test_identifier_search_is_refused_with_the_reason_for_a_leader(client, street, resident):
    login(client, street.leader)
    html = client.get(reverse("registry:persons"), {"q": resident.phone}).content.decode()
    assert "您的角色不能按电话、证件号或门牌号查找人员" in html and not shows_person(html, resident)


def test_identifier_search_finds_and_is_audited_for_intake(client, street, resident):
    login(client, street.intake)
    html = client.get(reverse("registry:persons"), {"q": resident.phone}).content.decode()
    assert f"P{resident.pk}" in html and "已记入审计日志" in html
    assert AuditEntry.objects.filter(object_type="registry.person", object_id="search").exists()


def test_filters_narrow_the_list(client, street, resident):
    services.person_create(actor=street.dispatcher, name="李四", residence="floating")
    login(client, street.dispatcher)
    html = client.get(reverse("registry:persons"), {"tag": "独居老人"}).content.decode()
    assert "张建国" in html and "李四" not in html
    html = client.get(reverse("registry:persons"), {"residence": "floating"}).content.decode()
    assert "李四" in html and "张建国" not in html
    html = client.get(reverse("registry:persons"), {"neighbourhood": street.neighbourhood.pk, "status": "active"},
                      HTTP_HX_REQUEST="true").content.decode()
    assert "张建国" in html and "<html" not in html
    assert f"/registry/persons/export.xlsx?neighbourhood={street.neighbourhood.pk}&amp;status=active" in html


def test_create_a_person_into_a_household(client, street, household, valid_id):
    login(client, street.cadre)
    response = client.post(reverse("registry:person-new"), {
        "name": "王秀兰", "gender": "female", "birth_date": "", "id_type": "id_card",
        "id_number": valid_id("31010619450101002"), "phone": "13911112222", "phone_alt": "021-62481234",
        "residence": "resident", "tags": ["高龄"], "notes": "需上门", "household": f"H{household.pk}",
        "relation": "spouse"})
    assert response.status_code == 302
    person = Person.objects.get(name="王秀兰")
    assert person.neighbourhood == street.neighbourhood and person.phone_alt == "02162481234"
    assert [t.name for t in person.tags.all()] == ["高龄"]
    assert Membership.objects.get(person=person).household == household


def test_a_wrong_id_number_is_said_next_to_its_field(client, street, household):
    login(client, street.dispatcher)
    response = client.post(reverse("registry:person-new"), {
        "name": "王五", "id_type": "id_card", "id_number": "310106195003081230", "residence": "hukou",
        "relation": "other"})
    html = response.content.decode()
    assert response.status_code == 422 and "校验位" in html and 'data-field="id_number"' in html
    assert html.index("校验位") > html.index('data-field="id_number"')


def test_editing_needs_a_reveal_first_for_a_masked_role(client, street, resident):
    login(client, street.cadre)
    url = reverse("registry:person-edit", args=[resident.pk])
    html = client.get(url).content.decode()
    assert "查看并修改" in html and "张建国" not in html and resident.phone not in html
    response = client.post(url, {"step": "reveal"})
    assert response.status_code == 422 and not views_audited()
    html = client.post(url, {"step": "reveal", "purpose": "verify"}).content.decode()
    assert 'value="张建国"' in html and resident.id_number in html
    assert views_audited(resident.pk)[0].detail["purpose"] == "核实底册信息"


def test_an_edit_writes_history_and_a_stale_version_is_409(client, street, resident):
    login(client, street.dispatcher)
    url = reverse("registry:person-edit", args=[resident.pk])
    form = {"name": "张建国", "gender": "male", "birth_date": "1950-03-08", "id_type": "id_card",
            "id_number": resident.id_number, "phone": "13900001111", "phone_alt": "", "residence": "resident",
            "status": "active", "tags": ["独居老人", "高龄"], "notes": "已走访", "version": resident.version}
    assert client.post(url, form).status_code == 302
    record = ChangeRecord.objects.filter(entity=Entity.PERSON, object_id=resident.pk, action="update").get()
    assert record.changes["phone"] == ["13812341234", "13900001111"]
    assert record.changes["tags"] == [["独居老人"], ["独居老人", "高龄"]] and record.actor == street.dispatcher
    response = client.post(url, {**form, "notes": "又改"})  # the version the form was opened at
    assert response.status_code == 409 and "已被他人修改" in response.content.decode()
    assert Person.objects.get(pk=resident.pk).notes == "已走访"
    timeline = client.get(reverse("registry:person", args=[resident.pk])).content.decode()
    assert "13900001111" in timeline and "电话" in timeline


def test_a_role_that_reads_but_does_not_write_is_refused(client, street, resident):
    login(client, street.leader)
    assert client.get(reverse("registry:person-edit", args=[resident.pk])).status_code == 403
    assert client.get(reverse("registry:person-new")).status_code == 403


def test_move_and_move_out_keep_history(client, street, resident, household):
    other = services.household_create(actor=street.dispatcher, address="愚园路128弄5号202室")
    login(client, street.cadre)
    url = reverse("registry:person-move", args=[resident.pk])
    assert client.post(url, {"household": "愚园路128弄5号202室", "relation": "head", "note": "搬家"}).status_code == 302
    assert Membership.objects.get(person=resident, ended_at__isnull=True).household == other
    response = client.post(url, {"household": "愚园路999弄1号", "relation": "other"})
    assert response.status_code == 422 and "没有找到该地址的户" in response.content.decode()
    assert client.post(url, {"out": "1", "note": "迁出本街道"}).status_code == 302
    assert Membership.objects.filter(person=resident).count() == 2
    assert not Membership.objects.filter(person=resident, ended_at__isnull=True).exists()


def test_capacities_are_granted_and_ended_with_history(client, street, resident):
    from registry.models import Capacity

    unit = services.unit_create(actor=street.dispatcher, name="金坛便利店", address="愚园路128弄1号")
    login(client, street.cadre)
    url = reverse("registry:person-capacity", args=[resident.pk])
    assert client.post(url, {"kind": "unit_operator", "unit": f"U{unit.pk}", "note": "店主"}).status_code == 302
    capacity = Capacity.objects.get(person=resident)
    assert capacity.unit == unit and capacity.neighbourhood == street.neighbourhood
    response = client.post(url, {"kind": "unit_operator", "unit": f"U{unit.pk}"})
    assert response.status_code == 409 and "已有身份" in response.content.decode()
    response = client.post(url, {"kind": ""})
    assert response.status_code == 422 and "请选择身份" in response.content.decode()
    assert client.post(url, {"end": str(capacity.pk)}).status_code == 302
    capacity.refresh_from_db()
    assert capacity.ended_at is not None
    changes = [r.changes for r in ChangeRecord.objects.filter(entity=Entity.PERSON, object_id=resident.pk,
                                                                 changes__has_key="capacity")]
    assert changes == [{"capacity": [None, "商户负责人(金坛便利店)"]}, {"capacity": ["商户负责人", None]}]
    html = client.get(reverse("registry:person", args=[resident.pk])).content.decode()
    assert "商户负责人" in html and "止" in html
    login(client, street.leader)
    assert client.post(url, {"kind": "volunteer"}).status_code == 403


def test_the_import_tab_is_shown_to_the_import_roles_only(client, street):
    client.force_login(street.dispatcher)
    assert "导入与查重" in client.get("/registry/").content.decode()
    client.force_login(street.leader)
    assert "导入与查重" not in client.get("/registry/").content.decode()
    client.force_login(street.cadre)
    page = client.get("/registry/import/").content.decode()
    assert 'aria-current="page">导入与查重' in page
