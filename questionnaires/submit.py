"""Writes of answers: `submission_create` (online, from the phone's outbox, keyed in from paper, imported) and the
prefill of a follow-up visit (`previous_answers`).

The scope rule is the registry's (registry.policy.in_scope): a 居委干部 submits for households and units of its
居民区, a 网格员 of its 网格, the centre street-wide. The answers are checked by questionnaires.engine — the server
never trusts the browser. The instance id (ODK's meta/instanceID, made on the phone when the form is opened) makes a
resend harmless: the same id with the same content returns the stored submission; the same id with other content is
a Conflict, never a merge, and every refusal is kept as a SubmissionRejection so nothing a cadre typed is lost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.services.attachments import check_upload
from core import clock
from core.errors import Conflict, PermissionDenied, ValidationFailed
from org.models import Role, User
from registry import policy as registry_policy
from registry.models import Household, Person, Unit

from .engine import validate, walk_nodes
from .models import Channel, FormVersion, Submission, SubmissionAttachment, SubmissionRejection

# Who fills questionnaires: the 居委干部 and 网格员 on foot, the centre for paper forms, the system for imports.
SUBMIT_ROLES = frozenset({Role.CADRE, Role.GRID, Role.ADMIN, Role.DISPATCHER, Role.SYSTEM})
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 20
_INSTANCE_ID = re.compile(r"^[A-Za-z0-9:._\-]{8,80}$")
CONFLICT = "该问卷实例编号已提交过不同内容,未合并;请在手机上核对后作为新的一份重新填写"


def digest_of(*, form_version: FormVersion, data: dict[str, Any], household: Household | None, unit: Unit | None,
              person: Person | None) -> str:
    canonical = json.dumps({"version": form_version.pk, "data": data, "household": getattr(household, "pk", None),
                            "unit": getattr(unit, "pk", None), "person": getattr(person, "pk", None)},
                           ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_scope(actor: User, *, household: Household | None, unit: Unit | None, person: Person | None) -> None:
    if actor.role not in SUBMIT_ROLES:
        raise PermissionDenied("您的角色不能填写问卷")
    for obj, what in ((household, "该户"), (unit, "该单位"), (person, "该受访人")):
        if obj is not None and not registry_policy.in_scope(actor, neighbourhood_id=obj.neighbourhood_id,
                                                            grid_id=obj.grid_id):
            raise PermissionDenied(f"{what}不在您负责的区域内")


def _reject(*, actor: User, instance_id: str, form_version: FormVersion, reason: str, data: Any) -> None:
    with transaction.atomic():
        SubmissionRejection.objects.create(instance_id=instance_id[:80], form_version=form_version,
                                           reason=reason[:500], data=data if isinstance(data, dict) else {},
                                           at=clock.now(), by=actor)


def _image_paths(spec: dict[str, Any], data: dict[str, Any]) -> list[tuple[str, str]]:
    """(question, file name) of every image answer kept in the cleaned data."""
    images = {n["name"] for n in walk_nodes(spec["questions"]) if n["type"] == "image"}
    found: list[tuple[str, str]] = []
    for key, value in data.items():
        if key in images and value:
            found.append((key, value))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                found.extend((k, v) for k, v in item.items() if k in images and v)
    return found


def _checked_photos(spec, cleaned, files: dict[str, Any]) -> list[tuple[str, str, Any]]:
    wanted = _image_paths(spec, cleaned)
    if len(wanted) > MAX_PHOTOS:
        raise ValidationFailed(f"一份问卷最多 {MAX_PHOTOS} 张照片")
    checked = []
    errors = {}
    for question, name in wanted:
        upload = files.get(name)
        if upload is None:
            errors[question] = "照片未随问卷上传,请重新选择照片"
            continue
        if (getattr(upload, "size", 0) or 0) > MAX_PHOTO_BYTES:
            errors[question] = "照片不能超过 5 MB"
            continue
        result = check_upload(upload)
        if not result.content_type.startswith("image/"):
            errors[question] = "照片只支持 JPG、PNG、GIF、WEBP 图片"
            continue
        checked.append((question, name, result))
    if errors:
        raise ValidationFailed("照片有问题:" + ";".join(errors.values()), details={"errors": errors})
    return checked


def submission_create(*, actor: User, form_version: FormVersion, instance_id: str, data: dict[str, Any],
                      channel: str, household: Household | None = None, unit: Unit | None = None,
                      person: Person | None = None, started_at: dt.datetime | None = None,
                      completed_at: dt.datetime | None = None, files: dict[str, Any] | None = None,
                      prefilled_from: Submission | None = None, paper_note: str = "") -> tuple[Submission, bool]:
    """Store one filled questionnaire; (submission, created). A resend of the same instance id and content returns
    the stored one (created=False)."""
    check_scope(actor, household=household, unit=unit, person=person)
    instance_id = (instance_id or "").strip()
    if not _INSTANCE_ID.match(instance_id):
        raise ValidationFailed("问卷实例编号缺失或格式不对", details={"errors": {"instance_id": "格式不对"}})
    if channel not in Channel.values:
        raise ValidationFailed("填写方式不对", details={"errors": {"channel": "不支持"}})
    if household is not None and person is not None and person.household_id not in (None, household.pk):
        raise ValidationFailed("受访人不是该户成员", details={"errors": {"person": "不是该户成员"}})
    existing = Submission.objects.filter(instance_id=instance_id).first()
    checked = validate(form_version.spec, data if isinstance(data, dict) else {}, today=timezone.localdate(clock.now()))
    if checked.errors:
        if existing is not None:
            _reject(actor=actor, instance_id=instance_id, form_version=form_version, reason=CONFLICT, data=data)
            raise Conflict(CONFLICT, details={"instance_id": instance_id, "submission": existing.pk})
        first = next(iter(checked.errors.values()))
        message = f"问卷有 {len(checked.errors)} 处需要修改:{first}"
        _reject(actor=actor, instance_id=instance_id, form_version=form_version, reason=message, data=data)
        raise ValidationFailed(message, details={"errors": checked.errors})
    digest = digest_of(form_version=form_version, data=checked.cleaned_data, household=household, unit=unit,
                       person=person)
    if existing is not None:
        if existing.digest == digest:
            return existing, False
        _reject(actor=actor, instance_id=instance_id, form_version=form_version, reason=CONFLICT, data=data)
        raise Conflict(CONFLICT, details={"instance_id": instance_id, "submission": existing.pk})
    photos = _checked_photos(form_version.spec, checked.cleaned_data, files or {})
    neighbourhood_id = next((o.neighbourhood_id for o in (household, unit, person) if o is not None
                             and o.neighbourhood_id), None) or getattr(actor, "neighbourhood_id", None)
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                form_version=form_version, instance_id=instance_id, digest=digest, data=checked.cleaned_data,
                channel=channel, household=household, unit=unit, person=person, neighbourhood_id=neighbourhood_id,
                prefilled_from=prefilled_from, started_at=started_at, completed_at=completed_at,
                received_at=clock.now(), submitted_by=actor, paper_note=(paper_note or "")[:200])
            for question, name, result in photos:
                stored = result.stored
                stored.seek(0)
                content = stored.read()
                SubmissionAttachment.objects.create(
                    submission=submission, question=question[:100], name=name[:200],
                    content_type=result.content_type, content=content, size=len(content),
                    sha256=hashlib.sha256(content).hexdigest())
    except IntegrityError:
        # Two sends of one instance raced: the other one stored it; judge this one against it.
        existing = Submission.objects.filter(instance_id=instance_id).first()
        if existing is not None and existing.digest == digest:
            return existing, False
        raise Conflict(CONFLICT, details={"instance_id": instance_id}) from None
    return submission, True


def _flat_types(nodes: list[dict[str, Any]]) -> dict[str, str]:
    return {n["name"]: n["type"] for n in walk_nodes(nodes) if n["type"] not in ("group",)}


def previous_submission(household: Household, questionnaire) -> Submission | None:
    return (Submission.objects.filter(household=household, form_version__questionnaire=questionnaire)
            .select_related("form_version").order_by("-received_at", "-id").first())


def previous_answers(household: Household, questionnaire) -> dict[str, Any]:
    """The household's last answers to this questionnaire, mapped by name onto its current version: only questions
    of the same type (and repeats' children likewise); photos and calculations are not carried over."""
    last = previous_submission(household, questionnaire)
    current = questionnaire.current_version
    if last is None or current is None:
        return {}
    old, new = _flat_types(last.form_version.spec["questions"]), _flat_types(current.spec["questions"])
    skip = {"image", "calculate", "note", "today", "start", "end"}
    mapped: dict[str, Any] = {}
    for name, value in last.data.items():
        kind = new.get(name)
        if kind is None or kind != old.get(name) or kind in skip:
            continue
        if kind == "repeat":
            mapped[name] = [{k: v for k, v in item.items() if new.get(k) == old.get(k) and new.get(k) not in skip}
                            for item in value if isinstance(item, dict)]
        else:
            mapped[name] = value
    return mapped
