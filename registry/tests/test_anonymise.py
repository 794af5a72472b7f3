"""person_anonymise and the retention rule for moved-out and deceased persons."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import PermissionDenied
from registry import services as rs
from registry.models import ChangeRecord, Person, PersonStatus
from registry.retention import person_anonymise, persons_expired, registry_retention_sweep

pytestmark = pytest.mark.django_db


def test_only_the_administrator_or_the_system_anonymises(street, resident):
    with pytest.raises(PermissionDenied):
        person_anonymise(actor=street.dispatcher, person=resident, basis="request")
    person = person_anonymise(actor=street.admin, person=resident, basis="request")
    assert person.anonymised_at and person.name == "(已匿名)" and person.user is None
    again = person_anonymise(actor=street.admin, person=person, basis="request")
    assert again.anonymised_at == person.anonymised_at
    assert ChangeRecord.objects.filter(object_id=resident.pk, action="anonymise").count() == 1


def test_retention_anonymises_moved_out_persons_after_the_period(street, resident, household, settings):
    settings.REGISTRY_RETENTION_DAYS_MOVED_OUT = 30
    stayer = rs.person_create(actor=street.dispatcher, name="李秀英", phone="13900002222", household=household,
                              relation="spouse")
    rs.person_update(actor=street.dispatcher, person=resident, status=PersonStatus.MOVED_OUT)
    later = timezone.now() + timedelta(days=31)
    assert list(persons_expired(now=timezone.now()).values_list("pk", flat=True)) == []
    assert registry_retention_sweep(now=later, dry_run=True) == [resident.pk]
    assert registry_retention_sweep(now=later) == [resident.pk]
    assert Person.objects.get(pk=resident.pk).anonymised_at is not None
    assert Person.objects.get(pk=stayer.pk).name == "李秀英"
    record = ChangeRecord.objects.get(object_id=resident.pk, action="anonymise")
    assert record.source == "retention" and "30 天" in record.note
    assert registry_retention_sweep(now=later) == []


def test_the_daily_task_runs_the_registry_sweep(street, resident, settings):
    from privacy.tasks import registry_retention

    settings.REGISTRY_RETENTION_DAYS_DECEASED = 0
    rs.person_update(actor=street.dispatcher, person=resident, status=PersonStatus.DECEASED)
    Person.objects.filter(pk=resident.pk).update(updated_at=timezone.now() - timedelta(days=1))
    assert registry_retention() == 1
    assert "registry-retention" in settings.CELERY_BEAT_SCHEDULE


def test_capacity_selectors(street, resident):
    from registry.selectors import has_capacity, person_capacities

    assert not has_capacity(resident, "volunteer")
    rs.capacity_grant(actor=street.dispatcher, person=resident, kind="volunteer", neighbourhood=street.neighbourhood)
    rs.capacity_grant(actor=street.dispatcher, person=resident, kind="building_leader")
    assert has_capacity(resident, "volunteer") and has_capacity(resident, "volunteer", street.neighbourhood)
    assert not has_capacity(resident, "volunteer", street.other_neighbourhood)
    assert has_capacity(resident, "building_leader", street.other_neighbourhood)  # street-wide
    assert [c.label for c in person_capacities(resident)] == ["楼组长", "志愿者"]
    capacity = next(c for c in person_capacities(resident) if c.kind == "volunteer")
    rs.capacity_end(actor=street.dispatcher, capacity=capacity)
    assert not has_capacity(resident, "volunteer") and len(person_capacities(resident, include_ended=True)) == 2
    assert not has_capacity(None, "volunteer")


def test_an_anonymised_persons_timeline_shows_no_old_value(street, resident):
    from registry.policy import RegistryMasker
    from registry.selectors import timeline

    person_anonymise(actor=street.admin, person=resident, basis="request")
    rows = timeline(street.intake, entity="person", object_id=resident.pk, masker=RegistryMasker(street.intake))
    text = repr(rows)
    assert "张建国" not in text and "13812341234" not in text and "13987654321" not in text
    assert rows[0]["changes"]["name"] == ["***", "***"] and rows[-1]["action"] == "匿名化"
