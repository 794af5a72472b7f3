"""Open311 reads: our 小类 as services, cases as service requests (never with personal data)."""

from __future__ import annotations

from django.db.models import Max, QuerySet

from cases.models import OPEN_STATES, Case, State
from org.models import Category

from .models import ServiceAttribute, Submission

# Our lifecycle → Open311's two statuses; status_notes carries the Chinese state and, when merged, the master.
OPEN311_STATUS = {state: ("open" if state in OPEN_STATES else "closed") for state in State.values}


def services() -> QuerySet[Category]:
    return Category.objects.filter(parent__isnull=False).select_related("parent").prefetch_related("open311_attributes")


def service_dict(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.parent.name}/{category.name},{category.handle_days} 个工作日内办结",
        "metadata": category.open311_attributes.exists(),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.parent.name,
    }


def service_definition(category: Category) -> dict:
    attributes = [
        {
            "variable": True,
            "code": a.code,
            "datatype": a.datatype,
            "required": a.required,
            "datatype_description": a.datatype_description,
            "order": a.order,
            "description": a.description,
            "values": [{"key": str(v.get("key")), "name": str(v.get("name"))} for v in a.values],
        }
        for a in ServiceAttribute.objects.filter(category=category)
    ]
    return {"service_code": category.code, "attributes": attributes}


def request_queryset() -> QuerySet[Case]:
    return (
        Case.objects.select_related("category", "lead_department", "master", "open311_submission")
        .annotate(updated_at=Max("events__at"))
        .order_by("-registered_at", "-id")
    )


def request_dict(case: Case) -> dict:
    notes = case.get_state_display()
    if case.state == State.MERGED and case.master_id:
        notes = f"{notes}:与工单 {case.master.number} 合并处理"
    elif case.handling_result and case.state in (State.HANDLED, State.CALLED_BACK, State.CLOSED):
        notes = f"{notes}:{case.handling_result}"
    try:
        submission = case.open311_submission
    except Submission.DoesNotExist:
        submission = None
    return {
        "service_request_id": case.number,
        "status": OPEN311_STATUS[case.state],
        "status_notes": notes,
        "service_name": case.category.name if case.category_id else "",
        "service_code": case.category.code if case.category_id else "",
        "description": case.content,
        "agency_responsible": case.lead_department.name if case.lead_department_id else "",
        "service_notice": "",
        "requested_datetime": case.registered_at.isoformat(),
        "updated_datetime": (getattr(case, "updated_at", None) or case.registered_at).isoformat(),
        "expected_datetime": case.handle_deadline.isoformat() if case.handle_deadline else None,
        # Only the road is public: house numbers identify the citizen.
        "address": _public_address(case.address),
        "address_id": "",
        "zipcode": "",
        "lat": float(case.latitude) if case.latitude is not None else None,
        "long": float(case.longitude) if case.longitude is not None else None,
        "media_url": submission.media_url if submission else "",
    }


def _public_address(address: str) -> str:
    from cases.policy import mask_address

    return mask_address(address)
