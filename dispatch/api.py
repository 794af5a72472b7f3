"""Smart dispatch API: suggestions for a new text or an existing case, and the classifier in use."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from cases import selectors as case_selectors
from core.errors import NotFound, PermissionDenied
from org.models import Role, User

from . import selectors
from .models import ClassifierVersion

router = Router(tags=["智能派单"])

# Who registers or dispatches cases; handlers, callback operators and leaders get no suggestions.
SUGGESTION_ROLES = {Role.INTAKE, Role.DISPATCHER, Role.ADMIN, Role.GRID, Role.CADRE}


class SuggestIn(Schema):
    content: str = Field(..., min_length=1, max_length=5000)
    address: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)


class CategoryOut(Schema):
    category_id: int
    code: str
    name: str
    parent: str
    probability: float
    evidence: list[str]


class PlaceOut(Schema):
    known: bool
    how: str = Field(..., description="address=按门牌, estate_name=按小区名, landmark=按地标, "
                                      "coordinates=按坐标, case=工单已定位, 空=未识别")
    matched: str
    estate: str | None
    neighbourhood_id: int | None
    neighbourhood: str | None
    grid: str | None


class DepartmentRef(Schema):
    id: int
    name: str


class DepartmentOut(Schema):
    lead: DepartmentRef
    co: list[DepartmentRef]
    reason: str


class DuplicateOut(Schema):
    case_id: int
    number: str
    title: str
    state: str
    registered_at: datetime
    similarity: float


class SuggestionOut(Schema):
    categories: list[CategoryOut]
    place: PlaceOut
    department: DepartmentOut | None
    duplicates: list[DuplicateOut]
    reasons: str
    classifier_version: int | None


class ClassifierOut(Schema):
    id: int
    trained_at: datetime
    n_samples: int
    n_labels: int
    data_description: str
    train_seconds: float
    metrics: dict
    acceptance: dict = Field(..., description="近30天派单对建议的采纳情况(改类别、改主办、自动派单件数与采纳率)")


def _allowed(user: User) -> None:
    if user.role not in SUGGESTION_ROLES:
        raise PermissionDenied("您的角色不使用智能派单建议")


def serialize_suggestion(user: User, suggestion: selectors.Suggestion) -> dict:
    place = suggestion.place
    department = suggestion.department
    return {
        "categories": [{"category_id": g.category.pk, "code": g.category.code, "name": g.category.name,
                        "parent": g.category.parent.name if g.category.parent_id else "",
                        "probability": round(g.probability, 4), "evidence": list(g.evidence)}
                       for g in suggestion.categories],
        "place": {"known": place.known, "how": place.how, "matched": place.matched,
                  "estate": place.estate.name if place.estate else None,
                  "neighbourhood_id": place.neighbourhood.pk if place.neighbourhood else None,
                  "neighbourhood": place.neighbourhood.name if place.neighbourhood else None,
                  "grid": place.grid.name if place.grid else None},
        "department": {"lead": {"id": department.lead.pk, "name": department.lead.name},
                       "co": [{"id": d.pk, "name": d.name} for d in department.co],
                       "reason": department.reason} if department else None,
        "duplicates": [{"case_id": d.case.pk, "number": d.case.number,
                        "title": case_selectors.case_title_for(user, d.case), "state": d.case.state,
                        "registered_at": d.case.registered_at, "similarity": d.similarity}
                       for d in suggestion.duplicates],
        "reasons": suggestion.reasons,
        "classifier_version": suggestion.version.pk if suggestion.version else None,
    }


@router.post("/suggest", response=SuggestionOut, summary="受理前:按诉求内容和地址给出类别、地点、主办单位建议及疑似重复件")
def suggest(request: HttpRequest, payload: SuggestIn):
    _allowed(request.user)
    suggestion = selectors.suggestion_for_text(content=payload.content, address=payload.address,
                                               latitude=payload.latitude, longitude=payload.longitude,
                                               user=request.user)
    return serialize_suggestion(request.user, suggestion)


@router.get("/cases/{case_id}/suggestion", response=SuggestionOut, summary="工单的智能派单建议(附理由)")
def case_suggestion(request: HttpRequest, case_id: str):
    case = case_selectors.case_get(request.user, case_id)  # out of scope: 404 before the role is checked
    _allowed(request.user)
    return serialize_suggestion(request.user, selectors.suggestion_for_case(request.user, case))


@router.get("/classifier", response=ClassifierOut, summary="当前使用的分类模型版本及其评估")
def classifier(request: HttpRequest):
    version = ClassifierVersion.objects.defer("model").order_by("-trained_at", "-id").first()
    if version is None:
        raise NotFound("尚未训练分类模型:请运行 manage.py train_classifier")
    version.acceptance = selectors.outcome_summary()
    return version
