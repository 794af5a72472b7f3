"""PIPL requests cover the 社区底册: the persons registered with the phone are exported and, on erasure, anonymised."""

import io
import json

import pytest
from openpyxl import load_workbook

from audit.models import AuditEntry
from cases.tests.helpers import case_in_state
from privacy.services import citizen_data_erase, citizen_data_export
from registry import services as rs
from registry.models import ChangeRecord, Person

pytestmark = pytest.mark.django_db


def test_export_holds_the_registry_person_household_capacity_cases_and_changes(street, resident):
    case = street.new_case()
    rs.case_link_decide(actor=street.dispatcher, case=case, person=resident, linked=True)
    rs.capacity_grant(actor=street.dispatcher, person=resident, kind="volunteer")
    export = citizen_data_export(actor=street.admin, phone="13812341234", reason="本人书面申请")
    [person] = export.persons
    assert person["name"] == "张建国" and person["id_number"] == resident.id_number
    assert person["households"][0]["address"] == "愚园路128弄3号501室"
    assert person["capacities"][0]["kind"] == "志愿者"
    assert person["cases"][0]["number"] == case.number
    assert {c["action"] for c in person["changes"]} >= {"登记", "入户", "关联工单"}
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT, object_type="citizen")
    assert entry.detail["registry_persons"] == [resident.pk]


def test_the_desk_exports_the_registry_in_excel_and_json(client, street, resident):
    client.force_login(street.admin)
    response = client.post("/privacy/citizen/export/", {"phone": "13812341234", "reason": "本人书面申请"})
    workbook = load_workbook(io.BytesIO(response.content))
    assert {"底册人员", "住户与身份", "底册变更记录"} <= set(workbook.sheetnames)
    rows = list(workbook["底册人员"].values)
    assert rows[1][1] == "张建国"
    response = client.post("/privacy/citizen/export/", {"phone": "13812341234", "reason": "本人书面申请",
                                                         "format": "json"})
    assert json.loads(response.content)["registry_persons"][0]["phone"] == "13812341234"


def test_the_desk_lists_the_registry_persons_masked(client, street, resident):
    client.force_login(street.admin)
    page = client.post("/privacy/citizen/", {"phone": "13812341234", "reason": "本人书面申请"}).content.decode()
    assert "社区底册中 1 位人员" in page and "张**" in page and "张建国" not in page


def test_erase_anonymises_the_person_with_a_record(street, resident):
    case_in_state(street, "closed")
    result = citizen_data_erase(actor=street.admin, phone="13812341234", reason="本人申请删除")
    assert result.persons == [resident.pk]
    person = Person.objects.get(pk=resident.pk)
    assert person.anonymised_at is not None and person.name == "(已匿名)"
    assert (person.phone, person.id_number, person.birth_date, person.notes) == ("", "", None, "")
    assert not person.tags.exists() and person.memberships.filter(ended_at__isnull=True).exists()
    record = ChangeRecord.objects.get(object_id=resident.pk, action=ChangeRecord.Action.ANONYMISE)
    assert "13812341234" not in json.dumps(record.changes) and "张建国" not in json.dumps(record.changes)
    assert "本人申请删除" in record.note and record.actor == street.admin
    # Done once: a second request finds nobody left to anonymise.
    assert citizen_data_erase(actor=street.admin, phone="13812341234", reason="本人申请删除").persons == []
