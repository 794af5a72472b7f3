"""Even raw SQL that bypasses the models cannot rewrite history."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEntry
from audit.services import audit_record
from cases.models import CaseEvent

pytestmark = pytest.mark.django_db


def test_raw_update_of_a_case_event_is_refused_by_the_database(street):
    case = street.new_case()
    event = CaseEvent.objects.get(case=case)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_caseevent SET note = 'rewritten' WHERE id = %s", [event.pk])
    assert CaseEvent.objects.get(pk=event.pk).note == ""


def test_queryset_update_of_audit_entries_is_refused(street):
    entry = audit_record(action=AuditEntry.Action.EXPORT, actor=street.dispatcher, object_type="case")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(username="someone-else")
    assert AuditEntry.objects.get(pk=entry.pk).username == "t_dispatcher"


def test_raw_delete_of_a_case_event_is_refused_on_postgresql(street):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite 仅拦截 UPDATE(测试框架需要逐行清表)")
    event = CaseEvent.objects.get(case=street.new_case())
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_caseevent WHERE id = %s", [event.pk])
    assert CaseEvent.objects.filter(pk=event.pk).exists()
