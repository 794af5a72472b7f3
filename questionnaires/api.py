"""问卷 API at /api/questionnaires/: the questionnaires, a version's spec, submit (the same submission_create as the
fill page) and a household's submissions (free-text answers through the registry's masker for masked readers)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from ninja import Router, Schema, Status

from audit.models import AuditEntry
from audit.services import audit_record
from core.errors import NotFound, PermissionDenied
from org.models import Role
from registry import policy as registry_policy
from registry.models import Household, Unit

from .engine import walk_nodes
from .models import Channel, FormVersion, Questionnaire
from .submit import SUBMIT_ROLES, submission_create
from .views import READ_ROLES, scoped_submissions

router = Router(tags=["问卷"])


def _reader(request: HttpRequest) -> None:
    if request.user.role not in READ_ROLES:
        raise PermissionDenied("您的角色不能查看问卷")


@router.get("", summary="问卷列表(含版本)")
def questionnaire_list(request: HttpRequest) -> list[dict[str, Any]]:
    _reader(request)
    return [{"slug": q.slug, "title": q.title, "is_active": q.is_active,
             "versions": [{"id": v.pk, "number": v.number, "label": v.version_label, "questions": v.question_count}
                          for v in q.versions.all()]}
            for q in Questionnaire.objects.prefetch_related("versions")]


@router.get("/versions/{version_id}", summary="某一版本的表单结构(spec)")
def questionnaire_version(request: HttpRequest, version_id: int) -> dict[str, Any]:
    _reader(request)
    version = FormVersion.objects.filter(pk=version_id).select_related("questionnaire").first()
    if version is None:
        raise NotFound("问卷版本不存在")
    return {"id": version.pk, "questionnaire": version.questionnaire.slug, "number": version.number,
            "spec": version.spec}


class SubmitIn(Schema):
    version_id: int
    instance_id: str
    data: dict[str, Any]
    channel: str = Channel.ONLINE
    household_id: int | None = None
    unit_id: int | None = None
    started_at: str | None = None
    completed_at: str | None = None


@router.post("/submissions", response={200: dict, 201: dict}, summary="提交答卷(同一实例编号重复提交只保存一次;内容不同返回 409)")
def questionnaire_submit(request: HttpRequest, payload: SubmitIn):
    if request.user.role not in SUBMIT_ROLES:
        raise PermissionDenied("您的角色不能填写问卷")
    version = FormVersion.objects.filter(pk=payload.version_id).first()
    if version is None:
        raise NotFound("问卷版本不存在")
    household = unit = None
    if payload.household_id:
        household = registry_policy.visible(request.user, Household.objects.all()).filter(
            pk=payload.household_id).first()
        if household is None:
            raise NotFound("该户不存在或不在您负责的区域内")
    if payload.unit_id:
        unit = registry_policy.visible(request.user, Unit.objects.all()).filter(pk=payload.unit_id).first()
        if unit is None:
            raise NotFound("该单位不存在或不在您负责的区域内")
    submission, created = submission_create(
        actor=request.user, form_version=version, instance_id=payload.instance_id, data=payload.data,
        channel=payload.channel, household=household, unit=unit,
        started_at=parse_datetime(payload.started_at) if payload.started_at else None,
        completed_at=parse_datetime(payload.completed_at) if payload.completed_at else None)
    body = {"ok": True, "created": created, "submission": submission.pk,
            "message": "已收到" if created else "已收到(此前已提交过,未重复保存)"}
    return Status(201 if created else 200, body)


def _text_names(spec: dict[str, Any]) -> set[str]:
    return {n["name"] for n in walk_nodes(spec["questions"]) if n["type"] == "text"}


def _masked(data: dict[str, Any], texts: set[str], masker) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            out[key] = [_masked(item, texts, masker) for item in value]
        elif key in texts and isinstance(value, str):
            out[key] = masker.text(value)
        else:
            out[key] = value
    return out


@router.get("/households/{household_id}/submissions", summary="某户的答卷(按角色脱敏)")
def household_submissions(request: HttpRequest, household_id: int) -> list[dict[str, Any]]:
    household = get_object_or_404(registry_policy.visible(request.user, Household.objects.all()), pk=household_id)
    _reader(request)
    masker = registry_policy.RegistryMasker(request.user, revealed=request.user.role == Role.CADRE)
    rows = list(scoped_submissions(request.user).filter(household=household)
                .select_related("form_version__questionnaire")[:100])
    if rows and not masker.masked:
        audit_record(action=AuditEntry.Action.VIEW_PERSONAL_DATA, actor=request.user, request=request,
                     object_type="submission", object_id=household.pk,
                     detail={"what": "户的问卷答卷", "ids": [r.pk for r in rows], "count": len(rows)})
    return [{"id": s.pk, "instance_id": s.instance_id, "questionnaire": s.form_version.questionnaire.slug,
             "version": s.form_version.number, "channel": s.channel, "received_at": s.received_at.isoformat(),
             "masked": masker.masked, "data": _masked(s.data, _text_names(s.form_version.spec), masker)}
            for s in rows]
