"""The retention job: closed cases past PERSONAL_DATA_RETENTION_DAYS lose their 诉求人's personal data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command

from audit.models import AuditEntry
from cases.models import Case, CaseEvent
from cases.tests.helpers import case_in_state
from core import clock
from privacy.services import personal_data_anonymise_expired
from privacy.tasks import anonymise_expired

pytestmark = pytest.mark.django_db

CONTENT = "张建国(13812341234)反映愚园路128弄3号402室楼道堆物。"


@pytest.fixture
def closed_case(street):
    return case_in_state(street, "closed", content=CONTENT, title="张建国反映堆物")


def later(days: int):
    return clock.now() + timedelta(days=days)


def test_a_case_closed_longer_ago_than_the_period_is_anonymised(street, closed_case, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    events_before = list(CaseEvent.objects.filter(case=closed_case).values())
    assert personal_data_anonymise_expired(now=later(31)) == [closed_case.number]
    case = Case.objects.get(pk=closed_case.pk)
    assert (case.citizen_name, case.citizen_phone, case.address) == ("", "", "愚园路xx弄x号")
    assert case.title == "某某反映堆物"
    assert "13812341234" not in case.content and "张建国" not in case.content and "128" not in case.content
    # The history stays as it was, with one event appended.
    events = list(CaseEvent.objects.filter(case=closed_case).values())
    assert events[:-1] == events_before
    assert (events[-1]["action"], events[-1]["payload"]) == ("anonymise", {"basis": "retention"})
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ANONYMISE)
    assert entry.detail == {"days": 30, "cases": [closed_case.number]}


def test_recent_and_open_cases_are_left_alone(street, closed_case, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    open_case = street.dispatched_case()
    assert personal_data_anonymise_expired(now=later(29)) == []
    assert personal_data_anonymise_expired(now=later(400)) == [closed_case.number]
    assert Case.objects.get(pk=open_case.pk).citizen_phone == "13812341234"


def test_a_second_run_does_nothing(closed_case, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    assert personal_data_anonymise_expired(now=later(31)) == [closed_case.number]
    assert personal_data_anonymise_expired(now=later(32)) == []
    assert CaseEvent.objects.filter(case=closed_case, action="anonymise").count() == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ANONYMISE).count() == 1


def test_a_dry_run_changes_nothing(closed_case, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 0
    assert personal_data_anonymise_expired(now=later(1), dry_run=True) == [closed_case.number]
    assert Case.objects.get(pk=closed_case.pk).citizen_name == "张建国"


def test_the_command_and_the_beat_task_run_the_job(closed_case, settings, capsys):
    settings.PERSONAL_DATA_RETENTION_DAYS = 0
    call_command("anonymise_personal_data", "--dry-run")
    assert closed_case.number in capsys.readouterr().out
    assert Case.objects.get(pk=closed_case.pk).citizen_name == "张建国"
    assert anonymise_expired() == 1
    assert Case.objects.get(pk=closed_case.pk).citizen_name == ""
    assert "privacy.tasks.anonymise_expired" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}


def test_after_anonymisation_even_the_dispatcher_reads_the_timeline_masked(client, street, settings):
    from cases import services

    case = street.handling_case()
    services.case_add_progress(actor=street.handler, case=case, note="已电话联系(13812341234),愚园路128弄3号")
    services.case_finish(actor=street.handler, case=case, result="已清理")
    services.case_callback(actor=street.callback, case=case, satisfaction="satisfied", solved=True,
                           first_contacted=True)
    services.case_close(actor=street.dispatcher, case=case, reason="已办结")
    settings.PERSONAL_DATA_RETENTION_DAYS = 0
    personal_data_anonymise_expired(now=later(1))
    client.force_login(street.dispatcher)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "13812341234" not in page and "128弄3号" not in page
    assert "个人信息匿名化" in page
