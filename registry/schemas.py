"""The registry API's request and response bodies (registry/api.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from .models import Gender, HousingStatus, IdType, PersonStatus, Relation, Residence, UnitKind, UnitStatus
from .policy import REVEAL_PURPOSES


class ListQuery(Schema):
    q: str = Field("", max_length=50)
    neighbourhood_id: int | None = Field(None, ge=1, le=2**31 - 1)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**7)


class PersonQuery(ListQuery):
    tag: str = Field("", max_length=30)
    residence: Literal[tuple(["", *Residence.values])] = ""
    status: Literal[tuple(["", *PersonStatus.values])] = ""


class HouseholdQuery(ListQuery):
    housing: Literal[tuple(["", *HousingStatus.values])] = ""
    crowded: bool = False


class UnitQuery(ListQuery):
    kind: Literal[tuple(["", *UnitKind.values])] = ""
    status: Literal[tuple(["", *UnitStatus.values])] = ""


class Page(Schema):
    count: int
    limit: int
    offset: int
    masked: bool
    search_refused: str = ""
    results: list[dict[str, Any]]


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: str
    id_type: str
    id_number: str
    phone: str
    phone_alt: str
    residence: str
    status: str
    tags: list[str]
    notes: str
    neighbourhood: str
    version: int
    masked: bool
    households: list[dict[str, Any]]
    cases: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


class PersonIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    gender: Literal[tuple(Gender.values)] = ""
    birth_date: date | None = None
    id_type: Literal[tuple(IdType.values)] = IdType.ID_CARD
    id_number: str = Field("", max_length=40)
    phone: str = Field("", max_length=30)
    phone_alt: str = Field("", max_length=30)
    residence: Literal[tuple(Residence.values)] = Residence.HUKOU
    notes: str = Field("", max_length=2000)
    tags: list[str] = Field(default_factory=list, max_length=50)
    household_id: int | None = Field(None, ge=1, le=2**63 - 1)
    relation: Literal[tuple(Relation.values)] = Relation.OTHER


class PersonPatch(Schema):
    """Only the fields given change; `version` is the one read (409 if someone saved meanwhile)."""

    version: int | None = Field(None, ge=1, le=2**31 - 1)
    name: str | None = Field(None, min_length=1, max_length=50)
    gender: Literal[tuple(Gender.values)] | None = None
    birth_date: date | None = None
    id_type: Literal[tuple(IdType.values)] | None = None
    id_number: str | None = Field(None, max_length=40)
    phone: str | None = Field(None, max_length=30)
    phone_alt: str | None = Field(None, max_length=30)
    residence: Literal[tuple(Residence.values)] | None = None
    status: Literal[tuple(PersonStatus.values)] | None = None
    notes: str | None = Field(None, max_length=2000)
    tags: list[str] | None = Field(None, max_length=50)


class RevealIn(Schema):
    purpose: Literal[tuple(REVEAL_PURPOSES)] = Field(..., description="查看目的:" + "、".join(
        f"{k}={v}" for k, v in REVEAL_PURPOSES.items()))
    purpose_text: str = Field("", max_length=200, description="选 other 时必填,至少4个字")


class HouseholdOut(Schema):
    id: int
    address: str
    road: str
    estate: str
    neighbourhood: str
    grid: str
    housing: str
    housing_code: str
    tenant_count: int | None
    rental_start: date | None
    rental_end: date | None
    crowded_rental: bool
    notes: str
    version: int
    masked: bool
    members: list[dict[str, Any]]
    cases: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


class UnitOut(Schema):
    id: int
    name: str
    credit_code: str
    kind: str
    address: str
    estate: str
    neighbourhood: str
    grid: str
    phone: str
    status: str
    operator: dict[str, Any] | None
    contacts: list[dict[str, Any]]
    notes: str
    version: int
    masked: bool
    timeline: list[dict[str, Any]]


class CaseLinkIn(Schema):
    person_id: int = Field(..., ge=1, le=2**63 - 1)
    decision: Literal["linked", "rejected"]


class CaseLinkOut(Schema):
    case_id: int
    person_id: int
    decision: str
    decided_at: datetime
