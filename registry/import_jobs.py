"""A registry import's life: upload (header checked), preview, run in the background (or from the command), the
rejected-rows workbook, and the decisions on suspected duplicates.

Who: registry.policy.IMPORT_ROLES import (a 居委干部 only rows of its own 居民区); the pairs waiting for a decision
are listed to the import roles (masked for the masked ones) and decided only by DECIDE_ROLES — the import roles
that see personal data clear (派单员), since deciding "same person" needs the unmasked name, number and address.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, QuerySet
from openpyxl import Workbook

from core import clock
from core.background import BROKER_DOWN_MESSAGE, run_in_background
from core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from core.excel import append_row
from core.pages import get_in_scope_or_404
from core.tabular import count_rows, read_rows
from org.models import Role, User

from . import bulk, policy, services
from .addresses import parse_address
from .import_engine import LABELS, HouseholdImporter, PersonImporter, moves_to
from .import_units import UnitImporter, unit_candidate_apply
from .importing import FIELDS, RowParser, check_header, from_json
from .models import (
    ChangeRecord,
    Household,
    ImportKind,
    LinkCandidate,
    Membership,
    Person,
    RegistryImportJob,
    RegistryImportProfile,
    RegistryImportRejection,
    Unit,
)
from .policy import RegistryMasker

logger = logging.getLogger(__name__)
BATCH_SIZE = 2000
# The tables an import fills in bulk: their statistics are refreshed when it is done (bulk.analyze).
ANALYZED = (Household, Person, Membership, Person.tags.through, Unit, ChangeRecord, LinkCandidate)
IMPORTERS = {ImportKind.PERSONS: PersonImporter, ImportKind.HOUSEHOLDS: HouseholdImporter,
             ImportKind.UNITS: UnitImporter}
DECIDE_ROLES = frozenset(policy.IMPORT_ROLES & policy.CLEAR_ROLES)
JOB_NOT_FOUND = "导入任务不存在"


# --- reads ----------------------------------------------------------------------------------------------------


def import_jobs(user: User) -> QuerySet[RegistryImportJob]:
    """Street-wide import roles see every job; a 居委干部 its own."""
    if user.role not in policy.IMPORT_ROLES:
        return RegistryImportJob.objects.none()
    qs = RegistryImportJob.objects.select_related("created_by", "profile")
    return qs.filter(created_by=user) if user.role == Role.CADRE else qs


def import_job_get(user: User, pk: int) -> RegistryImportJob:
    return get_in_scope_or_404(import_jobs(user), JOB_NOT_FOUND, pk=pk)


def import_profiles(user: User, kind: str | None = None) -> QuerySet[RegistryImportProfile]:
    if user.role not in policy.IMPORT_ROLES:
        return RegistryImportProfile.objects.none()
    qs = RegistryImportProfile.objects.order_by("kind", "-is_default", "name")
    return qs.filter(kind=kind) if kind else qs


def candidates(user: User, *, decision: str = LinkCandidate.Decision.PENDING) -> QuerySet[LinkCandidate]:
    """The pairs in the user's area (by the imported row's 居民区/网格)."""
    if user.role not in policy.IMPORT_ROLES:
        return LinkCandidate.objects.none()
    return policy.visible(user, LinkCandidate.objects.filter(decision=decision)).select_related("job")


def candidate_pairs(user: User, qs, *, masker: RegistryMasker) -> list[dict[str, Any]]:
    """Each pending pair side by side as this reader may read it: the imported row and the registry's person."""
    from .models import Entity, Membership, Person, Unit

    rows = list(qs)
    person_ids = [c.object_id for c in rows if c.entity == Entity.PERSON]
    persons = Person.objects.in_bulk(person_ids)
    units = Unit.objects.in_bulk([c.object_id for c in rows if c.entity == Entity.UNIT])
    homes = dict(Membership.objects.filter(person_id__in=person_ids, ended_at__isnull=True)
                 .values_list("person_id", "household__address_key"))
    pairs = []
    for c in rows:
        if c.entity == Entity.UNIT:
            pairs.append(_unit_pair(c, units.get(c.object_id)))
            continue
        v, p = c.values, persons.get(c.object_id)
        incoming = {"name": masker.name(v.get("name", "")), "phone": masker.phone(v.get("phone", "")),
                    "id_number": masker.id_number(v.get("id_number", "")),
                    "birth_date": _birth(masker, v.get("birth_date")), "address": masker.address(v.get("address", ""))}
        existing = {} if p is None else {
            "name": masker.name(p.name), "phone": masker.phone(p.phone), "id_number": masker.id_number(p.id_number),
            "birth_date": masker.birth_date(p.birth_date), "address": masker.address(homes.get(p.pk, ""))}
        reasons = [masker.text(r, names=(v.get("name", ""), p.name if p else "")) for r in c.reasons]
        pairs.append({"id": c.pk, "score": round(c.score * 100), "reasons": reasons, "incoming": incoming,
                      "existing": existing, "row": c.row_number, "job": c.job.original_name if c.job else "",
                      "entity": "人员"})
    return pairs


def _unit_pair(c: LinkCandidate, unit) -> dict[str, Any]:
    """A unit's name, credit code, phone and door are public facts of a shop front: shown as they are."""
    v = c.values
    incoming = {"name": v.get("name", ""), "phone": v.get("phone", ""), "id_number": v.get("credit_code", ""),
                "birth_date": "", "address": v.get("address", "")}
    existing = {} if unit is None else {"name": unit.name, "phone": unit.phone, "id_number": unit.credit_code,
                                        "birth_date": "", "address": unit.address_key}
    return {"id": c.pk, "score": round(c.score * 100), "reasons": c.reasons, "incoming": incoming,
            "existing": existing, "row": c.row_number, "job": c.job.original_name if c.job else "", "entity": "单位"}


def _birth(masker: RegistryMasker, text: str | None) -> str:
    from datetime import date

    return masker.birth_date(date.fromisoformat(text)) if text else ""


# --- upload and preview ---------------------------------------------------------------------------------------


def import_job_create(*, actor: User, upload: UploadedFile, kind: str, profile: RegistryImportProfile | None = None
                      ) -> RegistryImportJob:
    """Stores the upload and checks its header now, so a wrong file is refused before anything runs."""
    if actor.role not in policy.IMPORT_ROLES:
        raise PermissionDenied("您的角色不能导入社区底册")
    if kind not in ImportKind.values:
        raise ValidationFailed("导入对象须为 人员/户/单位", details={"field": "kind"})
    from .importing import default_profile

    profile = profile or default_profile(kind)
    if profile.kind != kind:
        raise ValidationFailed(f"导入格式「{profile.name}」用于{profile.get_kind_display()},不能导入"
                               f"{ImportKind(kind).label}", details={"field": "profile"})
    name = Path(upload.name or "import").name
    if Path(name).suffix.lower() not in (".xlsx", ".csv"):
        raise ValidationFailed("只支持 .xlsx 和 .csv 文件", details={"field": "file"})
    job = RegistryImportJob(kind=kind, original_name=name[:200], profile=profile, created_by=actor)
    job.file.save(f"{clock.now():%Y%m%d%H%M%S}-{name}", upload, save=False)
    try:
        header, _ = read_rows(Path(job.file.path))
        check_header(profile, header)
    except DomainError:
        job.file.delete(save=False)
        raise
    except Exception:
        job.file.delete(save=False)
        raise ValidationFailed("文件无法读取,请确认是 Excel(.xlsx)或 CSV 文件", details={"field": "file"}) from None
    job.total_rows = count_rows(Path(job.file.path))
    job.save()
    return job


def _importer(job: RegistryImportJob, *, dry: bool):
    header, rows = read_rows(Path(job.file.path))
    parser = RowParser(job.profile, check_header(job.profile, header))
    importer = IMPORTERS[job.kind](actor=job.created_by, parser=parser, dry=dry,
                                   source_note=f"导入 {job.original_name}")
    importer.job_id = job.pk
    return importer, parser, rows


def import_preview(job: RegistryImportJob, *, limit: int = 20, masker: RegistryMasker | None = None
                   ) -> list[dict[str, Any]]:
    """The first rows labelled with exactly what the import will do with each; nothing is written."""
    importer, parser, rows = _importer(job, dry=True)
    batch = []
    for item in rows:
        batch.append(item)
        if len(batch) >= limit:
            break
    plans, _ = importer.run_batch(batch)
    masker = masker or RegistryMasker(job.created_by)
    fields = list(FIELDS[job.kind])[:6]
    out = []
    for plan in plans:
        name = parser.value(plan.raw, "name")
        cells = []
        for f in fields:
            value = parser.value(plan.raw, f)
            if job.kind == ImportKind.PERSONS or f in ("address", "operator", "operator_phone"):
                value = {"name": masker.name, "phone": masker.phone, "id_number": masker.id_number,
                         "address": masker.address, "operator": masker.name,
                         "operator_phone": masker.phone}.get(f, lambda x: x)(value)
                if f == "birth_date" and value and masker.masked:
                    value = value[:4] + "年"
            cells.append(value)
        names = tuple(n for n in (name, plan.match.record.name if plan.match else "") if n)
        out.append({"row": plan.number, "cells": cells, "outcome": plan.outcome, "label": LABELS[plan.outcome],
                    "note": masker.text(plan.note, names=names)})
    return out


def preview_headers(job: RegistryImportJob) -> list[str]:
    return list(FIELDS[job.kind].values())[:6]


# --- running --------------------------------------------------------------------------------------------------


def import_job_start(*, job: RegistryImportJob) -> bool:
    if not job.can_start:
        return False
    with transaction.atomic():
        RegistryImportJob.objects.filter(pk=job.pk).update(status=RegistryImportJob.Status.RUNNING,
                                                           heartbeat_at=clock.now(), error="")
        job_id = job.pk
        transaction.on_commit(lambda: import_job_launch(job_id=job_id))
    return True


def import_job_launch(*, job_id: int) -> None:
    from . import tasks

    if run_in_background(tasks.run_import, job_id) is False:
        import_job_fail(job_id=job_id, error=BROKER_DOWN_MESSAGE)


def import_job_fail(*, job_id: int, error: str) -> None:
    RegistryImportJob.objects.filter(pk=job_id).update(status=RegistryImportJob.Status.FAILED, error=error[:1000])


def import_job_run(job_id: int, *, batch_size: int = BATCH_SIZE,
                   progress: Callable[[RegistryImportJob], None] | None = None) -> RegistryImportJob:
    """Runs (or resumes after its last committed row) an import, one transaction per batch."""
    job = RegistryImportJob.objects.select_related("profile", "created_by").get(pk=job_id)
    if job.status == RegistryImportJob.Status.DONE:
        return job
    RegistryImportJob.objects.filter(pk=job.pk).update(
        status=RegistryImportJob.Status.RUNNING, started_at=job.started_at or clock.now(), heartbeat_at=clock.now(),
        error="")
    try:
        importer, _, rows = _importer(job, dry=False)
        batch: list = []
        for number, raw in rows:
            if number <= job.last_row:
                continue
            batch.append((number, raw))
            if len(batch) >= batch_size:
                _commit(job, importer, batch, progress)
                batch = []
        if batch:
            _commit(job, importer, batch, progress)
        RegistryImportJob.objects.filter(pk=job.pk).update(status=RegistryImportJob.Status.DONE,
                                                           finished_at=clock.now())
        bulk.analyze(ANALYZED)
    except Exception as exc:
        logger.exception("registry import %s failed", job.pk)
        import_job_fail(job_id=job.pk, error=exc.message if isinstance(exc, DomainError) else f"导入中断:{exc}")
    job.refresh_from_db()
    return job


def _commit(job: RegistryImportJob, importer, batch: list, progress) -> None:
    with transaction.atomic():
        _, tally = importer.run_batch(batch)
        RegistryImportRejection.objects.bulk_create(
            [RegistryImportRejection(job=job, row_number=n, reason=r, data=d) for n, r, d in tally.rejections])
        RegistryImportJob.objects.filter(pk=job.pk).update(
            last_row=batch[-1][0], heartbeat_at=clock.now(), created_count=F("created_count") + tally.created,
            updated_count=F("updated_count") + tally.updated, unchanged_count=F("unchanged_count") + tally.unchanged,
            rejected_count=F("rejected_count") + tally.rejected,
            duplicate_count=F("duplicate_count") + tally.duplicates,
            candidate_count=F("candidate_count") + tally.candidates)
    job.refresh_from_db()
    if progress:
        progress(job)


def rejections_workbook(job: RegistryImportJob, *, actor: User) -> Workbook:
    """The rejected rows as the file gave them plus the reason, so they can be corrected and imported again;
    personal data masked for the masked roles, as on the preview."""
    masker = RegistryMasker(actor)
    rejections = list(job.rejections.all())
    try:  # the file's own column order (PostgreSQL's jsonb does not keep the keys' order)
        headers = [h for h in read_rows(Path(job.file.path))[0] if h]
    except (OSError, ValueError, DomainError):
        headers = []
    for r in rejections:
        headers += [h for h in r.data if h and h not in headers]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("未导入的行")
    append_row(sheet, ["行号", "原因", *headers])
    for r in rejections:
        names = tuple(v for k, v in r.data.items() if k in ("姓名", "经营者") and v)
        append_row(sheet, [r.row_number, masker.text(r.reason, names=names),
                           *[masker.text(r.data.get(h, ""), names=names) for h in headers]])
    return workbook


# --- decisions on suspected duplicates ------------------------------------------------------------------------


def candidate_decide(*, actor: User, candidate_id: int, same: bool) -> LinkCandidate:
    """同一人 → the imported row updates that person; 不是同一人 → a new person. Stored on the pair, so the same
    pair in a later upload is not asked again."""
    if actor.role not in DECIDE_ROLES:
        raise PermissionDenied("只有派单员可以确认疑似重复(须核对未打码的信息)")
    with transaction.atomic():
        candidate = policy.visible(actor, LinkCandidate.objects.select_for_update().filter(pk=candidate_id)).first()
        if candidate is None:
            raise NotFound("该疑似重复记录不存在或不在您的职责范围内")
        if candidate.decision != LinkCandidate.Decision.PENDING:
            raise Conflict(f"该疑似重复已由{candidate.decided_by}确认为:{candidate.get_decision_display()}")
        apply = unit_candidate_apply if candidate.entity == "unit" else candidate_apply
        result = apply(actor=actor, candidate=candidate, same=same)
        candidate.decision = LinkCandidate.Decision.SAME if same else LinkCandidate.Decision.DIFFERENT
        candidate.result_id, candidate.decided_by, candidate.decided_at = result, actor, clock.now()
        candidate.save(update_fields=["decision", "result_id", "decided_by", "decided_at"])
    return candidate


def pending_count(job: RegistryImportJob | None = None) -> int:
    qs = LinkCandidate.objects.filter(decision=LinkCandidate.Decision.PENDING)
    return qs.filter(job=job).count() if job else qs.count()


def _household_at(actor: User, address: str):
    from .models import Household

    if not address:
        return None
    return Household.objects.filter(address_key=address).first() or services.household_create(
        actor=actor, address=address, source="import")


def candidate_apply(*, actor: User, candidate: LinkCandidate, same: bool) -> int:
    """A person's decision on a pair: the row updates that person (same) or becomes a new person (different).
    Returns the id of the person the row ended in. Runs inside the caller's transaction."""
    from .models import Membership, Person, Relation

    values = from_json(candidate.values)
    address, tags = values.pop("address", ""), values.pop("tags", None)
    relation = values.pop("relation", "") or Relation.OTHER
    note = f"疑似重复确认(导入第 {candidate.row_number} 行)"
    if not same:
        person = services.person_create(actor=actor, household=_household_at(actor, address), relation=relation,
                                        tags=tags or (), source="import", **values)
        return person.pk
    person = Person.objects.prefetch_related("tags").filter(pk=candidate.object_id).first()
    if person is None:
        raise Conflict("底册中的该人员已不存在(可能已合并),请选择“不是同一人”新建")
    values.pop("name", None)  # the registry's spelling stays: the pair was only alike, not identical
    if not values.get("id_number"):
        values.pop("id_type", None)
    changed = {k: v for k, v in values.items() if getattr(person, k) != v}
    if changed:
        services.person_update(actor=actor, person=person, source="import", note=note, **changed)
    if tags:
        services.person_tags_set(actor=actor, person=person, source="import",
                                 tags=sorted({t.name for t in person.tags.all()} | set(tags)))
    current = Membership.objects.filter(person=person, ended_at__isnull=True).select_related("household").first()
    if address and moves_to(current.household.address_key if current else None, parse_address(address)):
        services.person_move(actor=actor, person=person, household=_household_at(actor, address),
                             relation=relation, note=note, source="import")
    return person.pk
