"""问卷 pages: the list (versions, answer counts in the reader's scope), the admin's XLSForm upload, the phone-sized
fill page (rendered by static/js/xlsform.js from the embedded spec), its submit endpoint (JSON answers + photos,
the same submission_create as the API) and the service worker that keeps the fill page working offline."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFound, ValidationFailed
from core.pages import get_in_scope_or_404, role_required
from org.models import Role
from registry import policy as registry_policy
from registry.models import Household, Unit

from .models import Channel, Questionnaire, Submission
from .services import FORM_ADMIN_ROLES, questionnaire_load
from .submit import SUBMIT_ROLES, previous_answers, previous_submission, submission_create

READ_ROLES = registry_policy.READ_ROLES


def scoped_submissions(user):
    """Answers the user may count or read: by the row's 居民区 (居委干部) or its household's 网格 (网格员)."""
    qs = Submission.objects.all()
    if user.role in registry_policy.STREET_WIDE_ROLES:
        return qs
    if user.role == Role.CADRE and user.neighbourhood_id:
        return qs.filter(neighbourhood_id=user.neighbourhood_id)
    if user.role == Role.GRID and user.grid_id:
        return qs.filter(Q(household__grid_id=user.grid_id) | Q(unit__grid_id=user.grid_id))
    return qs.none()


@role_required(READ_ROLES, "您的角色不能查看问卷。")
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    counts = dict(scoped_submissions(request.user).values_list("form_version__questionnaire")
                  .annotate(n=Count("id")).values_list("form_version__questionnaire", "n"))
    rows = []
    for questionnaire in Questionnaire.objects.prefetch_related("versions"):
        rows.append({"q": questionnaire, "versions": list(questionnaire.versions.all()),
                     "count": counts.get(questionnaire.pk, 0)})
    return render(request, "questionnaires/list.html", {
        "rows": rows, "can_fill": request.user.role in SUBMIT_ROLES,
        "can_upload": request.user.role in FORM_ADMIN_ROLES})


@role_required(FORM_ADMIN_ROLES, "只有管理员可以上传问卷。")
def questionnaire_upload(request: HttpRequest) -> HttpResponse:
    context: dict = {}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed("请选择 XLSForm 文件(.xlsx)")
            version, created = questionnaire_load(actor=request.user, content=upload.read(), filename=upload.name,
                                                  title=request.POST.get("title", "").strip())
            context["loaded"] = {"version": version, "created": created}
        except DomainError as exc:
            context["error"] = exc.message
            context["details"] = exc.details
            status = exc.status
    return render(request, "questionnaires/upload.html", context, status=status)


def _target(request: HttpRequest, source) -> tuple[Household | None, Unit | None]:
    """The household or unit of ?household= / ?unit= (or the submitted ids), inside the user's registry scope."""
    household = unit = None
    if source.get("household"):
        household = get_in_scope_or_404(registry_policy.visible(request.user, Household.objects.all()),
                                         "该户不存在或不在您负责的区域内", pk=_int(source.get("household")))
    if source.get("unit"):
        unit = get_in_scope_or_404(registry_policy.visible(request.user, Unit.objects.all()),
                                   "该单位不存在或不在您负责的区域内", pk=_int(source.get("unit")))
    return household, unit


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound("记录不存在") from None


@role_required(SUBMIT_ROLES, "您的角色不能填写问卷。")
def fill(request: HttpRequest, slug: str) -> HttpResponse:
    questionnaire = get_in_scope_or_404(Questionnaire.objects.filter(is_active=True), "问卷不存在或已停用", slug=slug)
    version = questionnaire.current_version
    if version is None:
        raise NotFound("该问卷还没有上传版本")
    household, unit = _target(request, request.GET)
    prefill, prefilled_from = {}, None
    if household is not None and request.GET.get("prefill") == "1":
        prefill = previous_answers(household, questionnaire)
        last = previous_submission(household, questionnaire)
        prefilled_from = last.pk if last else None
    nxt = request.GET.get("next", "")
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = ""
    masker = registry_policy.RegistryMasker(request.user, revealed=request.user.role == Role.CADRE)
    config = {
        "submit_url": f"/questionnaires/{questionnaire.slug}/submit/", "version": version.pk,
        "household": household.pk if household else None, "unit": unit.pk if unit else None,
        "paper": request.GET.get("paper") == "1", "next": nxt, "prefilled_from": prefilled_from,
        "sw": "/questionnaires/sw.js",
    }
    return render(request, "questionnaires/fill.html", {
        "questionnaire": questionnaire, "version": version, "spec": version.spec, "prefill": prefill,
        "config": config, "household_label": masker.address(household.address) if household else "",
        "unit_label": unit.name if unit else "", "next": nxt})


@require_POST
@role_required(SUBMIT_ROLES, "您的角色不能填写问卷。")
def submit(request: HttpRequest, slug: str) -> JsonResponse:
    """The fill page's POST: `payload` (JSON) and the photos as files named by their answers."""
    try:
        questionnaire = get_in_scope_or_404(Questionnaire.objects.all(), "问卷不存在", slug=slug)
        try:
            if request.content_type == "application/json":
                payload = json.loads(request.body.decode("utf-8") or "{}")
            else:
                payload = json.loads(request.POST.get("payload") or "{}")
        except (ValueError, UnicodeDecodeError):
            payload = None
        if not isinstance(payload, dict):
            raise ValidationFailed("提交内容格式不对")
        version = questionnaire.versions.filter(pk=payload.get("version") if isinstance(payload.get("version"), int)
                                                else None).first()
        if version is None:
            raise ValidationFailed("问卷版本不存在,请刷新填写页后重新提交")
        household, unit = _target(request, payload)
        prefilled = None
        if payload.get("prefilled_from") and household is not None:
            prefilled = Submission.objects.filter(pk=_int(payload["prefilled_from"]), household=household).first()
        paper = payload.get("paper") or {}
        channel = Channel.PAPER if paper else payload.get("channel", Channel.ONLINE)
        submission, created = submission_create(
            actor=request.user, form_version=version, instance_id=str(payload.get("instance_id", "")),
            data=payload.get("data") or {}, channel=channel, household=household, unit=unit,
            started_at=parse_datetime(str(payload.get("started_at") or "")) if payload.get("started_at") else None,
            completed_at=parse_datetime(str(payload.get("completed_at") or "")) if payload.get("completed_at") else None,
            files={f.name: f for f in request.FILES.values()}, prefilled_from=prefilled,
            paper_note=(f"{paper.get('filled_on', '')} 走访人:{paper.get('visitor', '')}" if paper else ""))
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse({"ok": True, "created": created, "submission": submission.pk,
                         "message": "已收到" if created else "已收到(此前已提交过,未重复保存)"},
                        status=201 if created else 200)


SERVICE_WORKER = Path(settings.BASE_DIR) / "questionnaires" / "sw.js"


def service_worker(request: HttpRequest) -> HttpResponse:
    """The offline worker, served under /questionnaires/ so its scope covers the fill pages."""
    response = HttpResponse(SERVICE_WORKER.read_text("utf-8"), content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/questionnaires/"
    return response
