"""Excel export of the case list as filtered, masked per role, audited."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def rows(client, user, **params):
    client.force_login(user)
    response = client.get("/cases/export.xlsx", params)
    assert response.status_code == 200
    return list(load_workbook(BytesIO(response.content)).active.values)


def test_dispatcher_exports_the_filtered_list_with_personal_data_and_it_is_audited(client, street):
    street.new_case()
    dispatched = street.dispatched_case()
    exported = rows(client, street.dispatcher, state="dispatched")
    assert exported[0][0] == "工单编号" and len(exported) == 2
    assert exported[1][0] == dispatched.number and exported[1][13] == "13812341234"
    entry = AuditEntry.objects.get(action="export", object_type="case_list")
    assert entry.detail["rows"] == 1 and entry.detail["personal_data"] is True


def test_leader_export_is_masked(client, street):
    street.new_case()
    exported = rows(client, street.leader)
    assert exported[1][12] == "张**" and exported[1][13] == "138****1234" and exported[1][5] == "愚园路xx弄x号"


def test_handler_export_holds_only_its_department(client, street):
    street.new_case()
    mine = street.dispatched_case()
    exported = rows(client, street.handler)
    assert [r[0] for r in exported[1:]] == [mine.number]
