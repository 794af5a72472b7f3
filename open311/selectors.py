"""Open311 reads: our 小类 as services, cases as service requests (never with personal data).

The public feed is read by anyone without a login, so it carries no text a citizen typed: the description is written
from the category and the road, the status notes from the state and the department, the address is the road (and
小区) without house numbers, coordinates are rounded to a block, and only the sources the street publishes
(`OPEN311_PUBLIC_SOURCES`) in categories it has not excluded (`UnpublishedCategory`) are listed. Every published text
still goes through `cases.policy.mask_public_text` in case a road or department name was typed with personal data.
The mapping is in the README ("Open311 (GeoReport v2): what the public feed publishes").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Max, QuerySet

from cases.models import OPEN_STATES, Case, State
from org.addresses import before_first_number
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
    """The published cases only: an unpublished one is as unknown to the public as a missing one (404)."""
    return (
        Case.objects.filter(source__in=settings.OPEN311_PUBLIC_SOURCES)
        .exclude(category__open311_unpublished__isnull=False)
        .select_related("category__parent", "lead_department", "master", "estate", "open311_submission")
        .annotate(updated_at=Max("events__at"))
        .order_by("-registered_at", "-id")
    )


def public_address(case: Case) -> str:
    """The road (and the 小区 when known), never a house number: 愚园路128弄3号 → 愚园路(愚园小区)."""
    from cases.policy import mask_public_text

    address = (case.address or "").strip()
    # What comes before the first number: the road (or a landmark); lane, house and room numbers stay behind.
    place = before_first_number(address).strip()
    if case.estate_id and case.estate.name not in place:
        place = f"{place}({case.estate.name})" if place else case.estate.name
    return mask_public_text(place, citizen_name=case.citizen_name)


def public_description(case: Case) -> str:
    """Written from what the centre classified, never the citizen's words: 楼道堆物问题,位于愚园路(愚园小区)附近."""
    from cases.policy import mask_public_text

    what = f"{case.category.parent.name}/{case.category.name}" if case.category_id and case.category.parent_id \
        else (case.category.name if case.category_id else "城市管理")
    where = public_address(case)
    text = f"{what}问题,位于{where}附近({case.get_source_display()})" if where else \
        f"{what}问题({case.get_source_display()})"
    return mask_public_text(text, citizen_name=case.citizen_name)


def public_status_notes(case: Case) -> str:
    """The state in words and who has it, never the handling result (it names people and flats)."""
    from cases.policy import mask_public_text

    notes = case.get_state_display()
    agency = case.lead_department.name if case.lead_department_id else ""
    if case.state == State.MERGED and case.master_id:
        notes = f"{notes}:与工单 {case.master.number} 合并处理"
    elif case.state in (State.HANDLED, State.CALLED_BACK, State.CLOSED) and agency:
        notes = f"{notes}:已由{agency}处置完毕"
    elif case.state in OPEN_STATES and agency:
        notes = f"{notes}:{agency}处理中"
    return mask_public_text(notes, citizen_name=case.citizen_name)


def _rounded(value: Decimal | None) -> float | None:
    if value is None:
        return None
    places = Decimal(1).scaleb(-settings.OPEN311_COORDINATE_DECIMALS)
    return float(Decimal(value).quantize(places, rounding=ROUND_HALF_UP))


def request_dict(case: Case) -> dict:
    try:
        submission = case.open311_submission
    except Submission.DoesNotExist:
        submission = None
    return {
        "service_request_id": case.number,
        "status": OPEN311_STATUS[case.state],
        "status_notes": public_status_notes(case),
        "service_name": case.category.name if case.category_id else "",
        "service_code": case.category.code if case.category_id else "",
        "description": public_description(case),
        "agency_responsible": case.lead_department.name if case.lead_department_id else "",
        "service_notice": "",
        "requested_datetime": case.registered_at.isoformat(),
        "updated_datetime": (getattr(case, "updated_at", None) or case.registered_at).isoformat(),
        "expected_datetime": case.handle_deadline.isoformat() if case.handle_deadline else None,
        "address": public_address(case),
        "address_id": "",
        "zipcode": "",
        "lat": _rounded(case.latitude),
        "long": _rounded(case.longitude),
        "media_url": submission.media_url if submission else "",
    }
