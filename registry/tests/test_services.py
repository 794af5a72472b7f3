"""The registry's write path: validation in Chinese, one change record per write, moves as history, scope."""

from datetime import date

import pytest

from core.errors import Conflict, PermissionDenied, ValidationFailed
from registry import services
from registry.models import ChangeRecord, Entity, Membership, Person


def test_person_create_records_history_and_reads_birth_and_gender_from_the_id(street, household, valid_id):
    person = services.person_create(actor=street.cadre, name="李秀英", id_number=valid_id("31010619380512002"),
                                    phone="021-6248 1234", household=household, relation="spouse",
                                    tags=["高龄", "独居老人"], notes="需要上门")
    assert person.birth_date == date(1938, 5, 12) and person.gender == "female"
    assert person.phone == "02162481234" and person.neighbourhood == street.neighbourhood
    records = list(ChangeRecord.objects.filter(entity=Entity.PERSON, object_id=person.pk))
    assert [r.action for r in records] == ["create", "move_in"]
    assert records[0].actor == street.cadre and records[0].changes["name"] == [None, "李秀英"]
    assert records[0].changes["tags"] == [[], ["独居老人", "高龄"]]
    assert ChangeRecord.objects.filter(entity=Entity.HOUSEHOLD, object_id=household.pk, action="move_in").exists()


@pytest.mark.parametrize("number, message", [
    ("310106195003081235", "校验位"),
    ("31010619500308123", "18位"),
    ("310106195013081234", "出生日期"),
])
def test_id_numbers_are_checked(street, number, message, valid_id):
    if message == "出生日期":  # a right check digit, a month 13
        number = valid_id(number[:17])
    with pytest.raises(ValidationFailed, match=message):
        services.person_create(actor=street.dispatcher, name="王五", id_number=number)
    assert not Person.objects.exists()


def test_other_documents_are_allowed_and_one_document_is_one_person(street, valid_id):
    services.person_create(actor=street.dispatcher, name="John Smith", id_type="passport", id_number="e 1234567")
    assert Person.objects.get().id_number == "E1234567"
    number = valid_id("31010619500308123")
    services.person_create(actor=street.dispatcher, name="张建国", id_number=number)
    with pytest.raises(Conflict, match="已登记"):
        services.person_create(actor=street.dispatcher, name="张建国", id_number=number.lower())
    assert Person.objects.count() == 2


def test_birth_date_must_agree_with_the_id(street, valid_id):
    with pytest.raises(ValidationFailed, match="不一致"):
        services.person_create(actor=street.dispatcher, name="张三", id_number=valid_id("31010619500308123"),
                               birth_date=date(1951, 1, 1))


def test_update_records_before_and_after_and_refuses_a_stale_version(street, resident):
    version = resident.version
    services.person_update(actor=street.dispatcher, person=resident, version=version, phone="13900001111",
                           residence="resident")
    record = ChangeRecord.objects.filter(entity=Entity.PERSON, object_id=resident.pk, action="update").get()
    assert record.changes == {"phone": ["13812341234", "13900001111"], "residence": ["户籍", "常住"]}
    with pytest.raises(Conflict, match="已被他人修改"):
        services.person_update(actor=street.dispatcher, person=Person.objects.get(pk=resident.pk), version=version,
                               notes="改")
    assert Person.objects.get(pk=resident.pk).notes == resident.notes


def test_a_move_keeps_the_old_membership_as_history(street, resident, household, other_household):
    services.person_move(actor=street.dispatcher, person=resident, household=other_household, relation="tenant",
                         note="租住")
    memberships = list(Membership.objects.filter(person=resident).order_by("started_at"))
    assert len(memberships) == 2 and memberships[0].ended_at is not None and memberships[1].ended_at is None
    assert memberships[0].household == household and memberships[1].household == other_household
    resident.refresh_from_db()
    assert resident.neighbourhood == street.other_neighbourhood
    services.person_move(actor=street.dispatcher, person=resident, household=None, note="迁出本街道")
    assert not Membership.objects.filter(person=resident, ended_at__isnull=True).exists()


def test_a_household_has_one_head(street, resident, household):
    with pytest.raises(Conflict, match="已有户主"):
        services.person_create(actor=street.dispatcher, name="张小明", household=household, relation="head")


def test_household_address_is_its_natural_key_whatever_the_spelling(street, household):
    assert household.address_key == "愚园路128弄3号501室" and household.neighbourhood == street.neighbourhood
    assert household.estate == street.estate and household.grid == street.grid
    with pytest.raises(Conflict, match="已登记为一户"):
        services.household_create(actor=street.dispatcher, address="愚园路１２８衖三号501")


def test_household_outside_the_gazetteer_needs_a_neighbourhood(street):
    with pytest.raises(ValidationFailed, match="地址库"):
        services.household_create(actor=street.dispatcher, address="淮海中路1号101室")


def test_rental_fields_are_checked(street, household):
    with pytest.raises(ValidationFailed, match="不能早于"):
        services.household_update(actor=street.dispatcher, household=household, housing="rented",
                                  rental_start=date(2026, 5, 1), rental_end=date(2026, 1, 1))
    services.household_update(actor=street.dispatcher, household=household, housing="rented", tenant_count=9,
                              crowded_rental=True)
    record = ChangeRecord.objects.filter(entity=Entity.HOUSEHOLD, object_id=household.pk, action="update").get()
    assert record.changes["housing"] == ["自住", "出租"] and record.changes["crowded_rental"] == [False, True]


def test_credit_codes_are_checked_and_unique(street):
    with pytest.raises(ValidationFailed, match="校验位"):
        services.unit_create(actor=street.dispatcher, name="愚园面馆", address="愚园路150弄1号",
                             credit_code="91310106MA1FL0KX3A")
    unit = services.unit_create(actor=street.dispatcher, name="愚园面馆", address="愚园路150弄1号",
                                credit_code="91110000600037341L", kind="restaurant")
    assert unit.neighbourhood == street.neighbourhood
    with pytest.raises(Conflict, match="已登记"):
        services.unit_create(actor=street.dispatcher, name="别家", address="愚园路152弄1号",
                             credit_code="91110000600037341l")


def test_scope_of_writes(street, household, other_household):
    with pytest.raises(PermissionDenied, match="不在您负责的区域"):
        services.person_create(actor=street.cadre, name="赵六", household=other_household)
    with pytest.raises(PermissionDenied, match="不能修改"):
        services.person_create(actor=street.handler, name="赵六", household=household)
    with pytest.raises(PermissionDenied):
        services.household_update(actor=street.other_grid_user, household=household, notes="x")
    assert not Person.objects.exists()


def test_change_records_are_append_only(street, resident):
    from registry.models import AppendOnlyError

    record = ChangeRecord.objects.first()
    record.note = "改写"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()


def test_case_link_is_decided_once_and_rejections_are_kept(street, resident):
    case = street.new_case()
    link = services.case_link_decide(actor=street.dispatcher, case=case, person=resident, linked=True)
    assert link.household is not None
    other = services.person_create(actor=street.dispatcher, name="张建国", phone="13812341235")
    with pytest.raises(Conflict, match="已关联其他人员"):
        services.case_link_decide(actor=street.dispatcher, case=case, person=other, linked=True)
    services.case_link_decide(actor=street.dispatcher, case=case, person=other, linked=False)
    with pytest.raises(PermissionDenied):
        services.case_link_decide(actor=street.leader, case=case, person=other, linked=True)


@pytest.mark.parametrize("raw, stored", [("174-7418-4694", "17474184694"), ("+86 138 1234 1234", "13812341234"),
                                         ("(021)6248-1234", "02162481234")])
def test_phones_are_stored_as_digits_however_they_are_written(street, raw, stored):
    assert services.person_create(actor=street.dispatcher, name="王五", phone=raw).phone == stored


def test_a_phone_that_is_no_phone_is_refused(street):
    with pytest.raises(ValidationFailed, match="联系电话格式不正确"):
        services.person_create(actor=street.dispatcher, name="王五", phone="12-34")
