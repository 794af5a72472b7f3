"""Personal data of the registry under PIPL: anonymising a person (on a citizen's erasure request, or when the
retention period of a moved-out or deceased person has passed).

`person_anonymise` is the one write that removes a person's identity: the row stays (households keep their member
count, units their operator row, cases their link), its name, phones, document number, birth date, gender, notes
and tags are emptied, any bound login is unbound, and one ChangeRecord `anonymise` records it — without the old
values (the change records before it are append-only and stay; the selectors show them masked once the person is
anonymised).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from core import clock
from core.errors import PermissionDenied, ValidationFailed
from org.models import Role, User
from org.roles import PIPL_ROLES

from .models import ChangeRecord, Entity, Person, PersonStatus
from .services import change_record

# Our choice, to be confirmed with the street's legal adviser: three years after 迁出/已故.
DEFAULT_DAYS = 3 * 365
ANONYMOUS_NAME = "(已匿名)"
BASES = {"request": "依本人申请删除个人信息", "retention": "超过保存期限"}
# The fields emptied, and what they become.
ANONYMISED = {"name": ANONYMOUS_NAME, "phone": "", "phone_alt": "", "id_number": "", "birth_date": None,
              "gender": "", "notes": ""}


def person_anonymise(*, actor: User, person: Person, basis: str, note: str = "", source: str = "privacy") -> Person:
    """匿名化 one person, once. `basis` is "request" (PIPL art. 47, from the 个人信息 desk) or "retention"."""
    if actor.role not in PIPL_ROLES and actor.role != Role.SYSTEM:
        raise PermissionDenied("只有管理员可以删除(匿名化)个人信息")
    if basis not in BASES:
        raise ValidationFailed("匿名化依据不正确", details={"field": "basis"})
    now = clock.now()
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if locked.anonymised_at is not None:
            return locked
        had = sorted(f for f in ANONYMISED if getattr(locked, f) not in ("", None))
        tags = sorted(locked.tags.values_list("name", flat=True))
        Person.objects.filter(pk=locked.pk).update(**ANONYMISED, user=None, anonymised_at=now, updated_at=now,
                                                   version=locked.version + 1)
        locked.tags.clear()
        # What was removed, never the values themselves.
        changes = {field: ["(已删除)", ""] for field in had}
        if tags:
            changes["tags"] = ["(已删除)", []]
        change_record(actor=actor, entity=Entity.PERSON, object_id=locked.pk, action=ChangeRecord.Action.ANONYMISE,
                      changes=changes, note=(note or BASES[basis])[:500], source=source)
    locked.refresh_from_db()
    return locked


def retention_days() -> dict[str, int]:
    """Days a person who left the registry keeps their personal data, per kind of record (settings)."""
    return {
        PersonStatus.MOVED_OUT: getattr(settings, "REGISTRY_RETENTION_DAYS_MOVED_OUT", DEFAULT_DAYS),
        PersonStatus.DECEASED: getattr(settings, "REGISTRY_RETENTION_DAYS_DECEASED", DEFAULT_DAYS),
    }


def persons_expired(*, now=None) -> QuerySet[Person]:
    """Moved-out or deceased persons not changed for longer than their kind's retention period, not yet
    anonymised. `updated_at` moves with every change, the status change (迁出/已故) included."""
    now = now or clock.now()
    result = Person.objects.none()
    for status, days in retention_days().items():
        result = result | Person.objects.filter(status=status, anonymised_at__isnull=True,
                                                updated_at__lt=now - timedelta(days=days))
    return result


def registry_retention_sweep(*, now=None, dry_run: bool = False) -> list[int]:
    """The daily retention job's registry part: anonymise every expired person, each in its own transaction."""
    from org.services import system_user

    ids = list(persons_expired(now=now).order_by("pk").values_list("pk", flat=True))
    if dry_run or not ids:
        return ids
    actor = system_user()
    days = retention_days()
    for person in Person.objects.filter(pk__in=ids):
        person_anonymise(actor=actor, person=person, basis="retention", source="retention",
                         note=f"{person.get_status_display()}超过 {days[person.status]} 天,个人信息已按保存期限匿名化")
    return ids
