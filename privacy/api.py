"""Privacy API: reveal a case's personal data on a stated reason (audited), under /api/cases/{id}/unmask."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from cases import selectors

from . import services

router = Router(tags=["工单"])


class UnmaskIn(Schema):
    reason: str = Field(..., description="查看理由(至少4个字),连同本次查看记入审计日志")


class PersonalDataOut(Schema):
    citizen_name: str
    citizen_phone: str
    address: str
    title: str
    content: str


@router.post("/{case_id}/unmask", response=PersonalDataOut, summary="查看诉求人完整信息(须填写理由,记入审计)")
def case_unmask(request: HttpRequest, case_id: str, payload: UnmaskIn):
    person = services.case_unmask(actor=request.user, case=selectors.case_get(request.user, case_id),
                                  reason=payload.reason, request=request)
    return {"citizen_name": person.citizen_name, "citizen_phone": person.citizen_phone, "address": person.address,
            "title": person.title, "content": person.content}
