"""The action registry: every lifecycle action a person takes on a page or through the API, by name.

One entry per row of the lifecycle table that people act on: the API path, the body schema (also the page form's
fields) and a named function that turns the body into the one service call. `cases.api` makes one endpoint per
entry, `cases.views.case_act` posts the page's form through the same entry, so a page can never do more than the
API, and `git grep "def run_dispatch"` leads from an action's name to its service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja import Schema

from core.errors import NotFound, ValidationFailed
from org.models import Category, Department

from . import selectors, services
from .models import Case
from .schemas import (
    CallbackIn,
    ChaseIn,
    DispatchIn,
    ExtensionIn,
    FinishIn,
    FirstContactIn,
    HandlerCallbackIn,
    MergeIn,
    NoteIn,
    ReasonIn,
    ReopenIn,
    SuspendIn,
    VerifyIn,
)


@dataclass(frozen=True)
class Action:
    action: str  # the lifecycle table's row
    path: str  # POST /api/cases/{case_id}/<path>
    schema: type[Schema]
    run: Callable[[HttpRequest, Case, Any], Any]


def lookup(model, pk: int | None, label: str):
    """A referenced row (类别, 居民区, 主办单位…) or 422 naming it."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed(f"{label}不存在", details={"field": f"{label}"})
    return found


def departments(ids: list[int]) -> list[Department]:
    found = list(Department.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationFailed("协办单位不存在", details={"field": "co_department_ids"})
    return found


def master_case(request: HttpRequest, ref: str) -> Case:
    try:
        return selectors.case_get(request.user, ref)
    except NotFound:
        raise ValidationFailed("主工单不存在", details={"field": "master"}) from None


# --- one function per action ---------------------------------------------------------------------------------


def run_dispatch(request: HttpRequest, case: Case, body: DispatchIn):
    return services.case_dispatch(
        actor=request.user, case=case, lead_department=lookup(Department, body.lead_department_id, "主办单位"),
        co_departments=departments(body.co_department_ids), category=lookup(Category, body.category_id, "类别"),
        note=body.note, expected_version=body.version)


def run_sign(request: HttpRequest, case: Case, body: NoteIn):
    return services.case_sign(actor=request.user, case=case, note=body.note)


def run_request_return(request: HttpRequest, case: Case, body: ReasonIn):
    return services.case_request_return(actor=request.user, case=case, reason=body.reason)


def run_approve_return(request: HttpRequest, case: Case, body: ReasonIn):
    return services.case_approve_return(actor=request.user, case=case, reason=body.reason)


def run_reject_return(request: HttpRequest, case: Case, body: ReasonIn):
    return services.case_reject_return(actor=request.user, case=case, reason=body.reason)


def run_record_first_contact(request: HttpRequest, case: Case, body: FirstContactIn):
    return services.case_record_first_contact(actor=request.user, case=case, method=body.method,
                                              outcome=body.outcome, contacted_at=body.contacted_at)


def run_add_progress(request: HttpRequest, case: Case, body: NoteIn):
    return services.case_add_progress(actor=request.user, case=case, note=body.note)


def run_co_report(request: HttpRequest, case: Case, body: NoteIn):
    return services.case_co_report(actor=request.user, case=case, report=body.note)


def run_request_extension(request: HttpRequest, case: Case, body: ExtensionIn):
    return services.case_request_extension(actor=request.user, case=case, reason=body.reason,
                                           extra_days=body.extra_days)


def run_approve_extension(request: HttpRequest, case: Case, body: ReasonIn):
    return services.case_approve_extension(actor=request.user, case=case, reason=body.reason)


def run_reject_extension(request: HttpRequest, case: Case, body: ReasonIn):
    return services.case_reject_extension(actor=request.user, case=case, reason=body.reason)


def run_finish(request: HttpRequest, case: Case, body: FinishIn):
    # The page's 办结 form posts its site photos with it (multipart); each becomes an attachment of the finish event.
    photos = request.FILES.getlist("photos") if getattr(request, "FILES", None) else []
    return services.case_finish_with_photos(actor=request.user, case=case, result=body.result,
                                            demand_met=body.demand_met, explanation=body.explanation, photos=photos)


def run_callback(request: HttpRequest, case: Case, body: CallbackIn):
    return services.case_callback(actor=request.user, case=case, satisfaction=body.satisfaction, solved=body.solved,
                                  first_contacted=body.first_contacted, remarks=body.remarks)


def run_handler_callback(request: HttpRequest, case: Case, body: HandlerCallbackIn):
    return services.case_handler_callback(actor=request.user, case=case, satisfaction=body.satisfaction,
                                          solved=body.solved, remarks=body.remarks)


def run_reopen(request: HttpRequest, case: Case, body: ReopenIn):
    return services.case_reopen(
        actor=request.user, case=case, reason=body.reason,
        lead_department=lookup(Department, body.lead_department_id, "主办单位"),
        co_departments=departments(body.co_department_ids))


def run_close(request: HttpRequest, case: Case, body: ReasonIn):
    return services.case_close(actor=request.user, case=case, reason=body.reason)


def run_urge(request: HttpRequest, case: Case, body: NoteIn):
    return services.case_urge(actor=request.user, case=case, note=body.note)


def run_respond_urge(request: HttpRequest, case: Case, body: NoteIn):
    return services.case_respond_urge(actor=request.user, case=case, note=body.note)


def run_chase(request: HttpRequest, case: Case, body: ChaseIn):
    return services.case_chase(actor=request.user, case=case, note=body.note, hotline_number=body.hotline_number)


def run_merge(request: HttpRequest, case: Case, body: MergeIn):
    return services.case_merge(actor=request.user, case=case, master=master_case(request, body.master),
                               note=body.note)


def run_suspend(request: HttpRequest, case: Case, body: SuspendIn):
    return services.case_suspend(actor=request.user, case=case, plan=body.plan, review_date=body.review_date)


def run_resume(request: HttpRequest, case: Case, body: NoteIn):
    return services.case_resume(actor=request.user, case=case, note=body.note)


def run_verify(request: HttpRequest, case: Case, body: VerifyIn):
    return services.case_verify(actor=request.user, case=case, fixed=body.fixed, note=body.note)


ACTIONS: dict[str, Action] = {
    entry.action: entry
    for entry in [
        Action("dispatch", "dispatch", DispatchIn, run_dispatch),
        Action("sign", "sign", NoteIn, run_sign),
        Action("request_return", "return-request", ReasonIn, run_request_return),
        Action("approve_return", "return-approve", ReasonIn, run_approve_return),
        Action("reject_return", "return-reject", ReasonIn, run_reject_return),
        Action("record_first_contact", "first-contact", FirstContactIn, run_record_first_contact),
        Action("add_progress", "progress", NoteIn, run_add_progress),
        Action("co_report", "co-report", NoteIn, run_co_report),
        Action("request_extension", "extension-request", ExtensionIn, run_request_extension),
        Action("approve_extension", "extension-approve", ReasonIn, run_approve_extension),
        Action("reject_extension", "extension-reject", ReasonIn, run_reject_extension),
        Action("finish", "finish", FinishIn, run_finish),
        Action("handler_callback", "handler-callback", HandlerCallbackIn, run_handler_callback),
        Action("callback", "callback", CallbackIn, run_callback),
        Action("reopen", "reopen", ReopenIn, run_reopen),
        Action("close", "close", ReasonIn, run_close),
        Action("urge", "urge", NoteIn, run_urge),
        Action("respond_urge", "urge-response", NoteIn, run_respond_urge),
        Action("chase", "chase", ChaseIn, run_chase),
        Action("merge", "merge", MergeIn, run_merge),
        Action("suspend", "suspend", SuspendIn, run_suspend),
        Action("resume", "resume", NoteIn, run_resume),
        Action("verify", "verify", VerifyIn, run_verify),
    ]
}
