"""Exports of the filtered lists: masked unless the role sees the registry clear, formula-safe, audited, bounded."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry
from registry import exports, services

pytestmark = pytest.mark.django_db


def rows(response) -> list[list]:
    assert response.status_code == 200, response.content[:200]
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_a_cadre_exports_masked_rows_of_its_own_area_and_the_export_is_audited(client, street, resident,
                                                                               other_household):
    services.person_create(actor=street.dispatcher, name="外区人", household=other_household)
    client.force_login(street.cadre)
    data = rows(client.get(reverse("registry:person-export"), {"tag": "独居老人"}))
    assert data[0][:3] == ["底册编号", "姓名", "性别"] and len(data) == 2
    text = repr(data)
    for secret in ("张建国", resident.phone, resident.id_number, "1950-03-08", "13987654321", "128弄3号", "外区人"):
        assert secret not in text
    assert "张**" in text and "138****1234" in text
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.object_type == "registry.person_list" and entry.detail["rows"] == 1
    assert entry.detail["filters"] == {"tag": "独居老人"} and entry.detail["personal_data"] is False


def test_the_dispatcher_exports_clear_with_the_purpose_audited(client, street, resident):
    client.force_login(street.dispatcher)
    data = rows(client.get(reverse("registry:person-export")))
    assert data[1][1] == "张建国" and data[1][5] == resident.id_number and "13987654321" in data[1][14]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.detail["personal_data"] is True and entry.detail["purpose"] == "岗位职责(派单员)"


def test_cells_are_formula_safe(client, street, household):
    services.person_create(actor=street.dispatcher, name="=HYPERLINK(1)", household=household, notes="+1 备注")
    client.force_login(street.dispatcher)
    data = rows(client.get(reverse("registry:person-export")))
    assert data[1][1] == "'=HYPERLINK(1)" and data[1][14] == "'+1 备注"


def test_households_and_units_export(client, street, resident, household):
    services.unit_create(actor=street.dispatcher, name="金坛便利店", address="愚园路128弄1号", operator=resident)
    client.force_login(street.leader)
    data = rows(client.get(reverse("registry:household-export"), {"housing": "owner"}))
    assert data[1][1] == "愚园路xx弄x号xx室" and data[1][10] == 1
    data = rows(client.get(reverse("registry:unit-export")))
    assert data[1][1] == "金坛便利店" and data[1][7] == "张**" and data[1][8] == "138****1234"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == 2


def test_too_many_rows_are_refused_with_a_message(client, street, resident, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 0)
    client.force_login(street.dispatcher)
    response = client.get(reverse("registry:person-export"))
    assert response.status_code == 422 and "超过单次导出上限" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_a_refused_identifier_search_exports_nothing(client, street, resident):
    client.force_login(street.leader)
    response = client.get(reverse("registry:person-export"), {"q": resident.phone})
    assert response.status_code == 422 and "不能按电话" in response.content.decode()


def test_a_handler_cannot_export(client, street):
    client.force_login(street.handler)
    assert client.get(reverse("registry:person-export")).status_code == 403
