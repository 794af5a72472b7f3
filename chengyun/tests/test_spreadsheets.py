"""Issue 14 points 4 and 5d: every Excel export neutralises formulas and survives control characters already stored.

Rows are poisoned behind the input guard's back (queryset.update, audit_record, a Rejection row), as rows stored
before the guard or by a path it does not see; every export must answer 200 with a file openpyxl opens, no formula
cell and no <f> element in any sheet, and the poisoned texts as '= text.
"""

import ast
import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from audit.models import AuditEntry
from audit.services import audit_record
from cases.models import Case
from core.excel import append_row, safe_cell
from core.text import has_illegal
from hotline.models import ImportJob, Rejection
from hotline.tests.conftest import csv_bytes, hotline_row, upload_job
from org.models import Department

POISON = '=HYPERLINK("http://evil.example","审计")\x0b'
NEUTRALISED = '\'=HYPERLINK("http://evil.example","审计")'


def check_workbook(response) -> list[str]:
    """The texts of every cell of every sheet, after checking the file holds no formula at all."""
    assert response.status_code == 200, response.content[:500]
    content = response.content
    with zipfile.ZipFile(BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    texts = []
    for sheet in load_workbook(BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    assert not has_illegal(cell.value)
                    texts.append(cell.value)
    return texts


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_case_export_as_dispatcher(street):
    case = street.dispatched_case()
    Case.objects.filter(pk=case.pk).update(title=POISON, address="-1+1\x01", citizen_name="@SUM(A1)")
    texts = check_workbook(logged_in(street.dispatcher).get("/cases/export.xlsx"))
    assert NEUTRALISED in texts and "'-1+1" in texts and "'@SUM(A1)" in texts


@pytest.mark.django_db
def test_audit_export_as_auditor_with_a_failed_login_username(street):
    audit_record(action=AuditEntry.Action.LOGIN_FAILED, username=POISON, detail={"note": POISON})
    texts = check_workbook(logged_in(street.auditor).get("/audit/export.xlsx"))
    assert NEUTRALISED in texts


@pytest.mark.django_db
def test_pipl_export_as_admin(street):
    case = street.new_case()
    Case.objects.filter(pk=case.pk).update(title=POISON, content="+86\x0c内容")
    response = logged_in(street.admin).post("/privacy/citizen/export/", {"phone": "13812341234", "reason": "诉求人书面申请"})
    texts = check_workbook(response)
    assert NEUTRALISED in texts and "'+86内容" in texts


@pytest.mark.django_db
def test_hotline_replies_export(street):
    case = street.called_back_case(source="hotline", hotline_number="2026110012345")
    Case.objects.filter(pk=case.pk).update(handling_result=POISON)
    today = timezone.localtime(case.handled_at).date().isoformat()
    texts = check_workbook(logged_in(street.dispatcher).get("/hotline/export/", {"start": today, "end": today}))
    assert NEUTRALISED in texts


@pytest.mark.django_db
def test_kpi_export_with_a_poisoned_department_name(street):
    case = street.dispatched_case()
    Department.objects.filter(pk=street.department.pk).update(name=POISON)
    day = timezone.localtime(case.registered_at).date().isoformat()
    response = logged_in(street.dispatcher).get("/dashboard/export.xlsx", {"start": day, "end": day, "group_by": "department"})
    texts = check_workbook(response)
    assert NEUTRALISED in texts


@pytest.mark.django_db
def test_import_rejected_rows_file(street):
    job = upload_job(street, csv_bytes([hotline_row(0)]))
    Rejection.objects.create(job=job, row_number=2, hotline_number=POISON, reason="-缺少\x0b诉求内容")
    texts = check_workbook(logged_in(street.intake).get(f"/hotline/jobs/{job.pk}/errors.xlsx"))
    assert NEUTRALISED in texts and "'-缺少诉求内容" in texts
    assert ImportJob.objects.filter(pk=job.pk).exists()


def test_numbers_and_dates_stay_typed():
    for value in (None, 0, -5, 1.5, Decimal("-2.5"), True, date(2026, 11, 2), datetime(2026, 11, 2, 9, 30)):
        assert safe_cell(value) == value
    assert safe_cell("-5") == "'-5" and safe_cell("\tx") == "'\tx" and safe_cell("\rx") == "'\rx"
    assert safe_cell("普通文字") == "普通文字"


@hypothesis_settings(deadline=None)  # a workbook save on a loaded 2-core machine; no timing is asserted
@given(st.text())
def test_any_string_is_saved_and_never_a_formula(text):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("s")
    append_row(sheet, [text])
    buffer = BytesIO()
    workbook.save(buffer)
    cell = load_workbook(BytesIO(buffer.getvalue())).active.cell(1, 1)
    assert cell.data_type != "f"


def _project_modules():
    root = Path(settings.BASE_DIR)
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        parts = relative.parts
        if parts[0].startswith(".") or "tests" in parts or "migrations" in parts or parts[0] in ("var", "node_modules"):
            continue
        yield relative, path


def test_no_module_writes_a_worksheet_itself():
    """A new export cannot forget the helper: only core/excel.py appends rows or sets a cell's value."""
    offenders = []
    for relative, path in _project_modules():
        if relative == Path("core/excel.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        sheets = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Call, ast.Attribute, ast.Subscript)):
                source = ast.unparse(node.value)
                if "create_sheet" in source or source.endswith(".active") or "worksheets" in source:
                    sheets |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in sheets):
                offenders.append(f"{relative}:{node.lineno} {ast.unparse(node)}")
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, (ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "value":
                    offenders.append(f"{relative}:{node.lineno} {ast.unparse(target)} =")
    assert offenders == [], "write spreadsheet rows with core.excel.append_row: " + "; ".join(offenders)
