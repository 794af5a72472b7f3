"""Reads of smart dispatch: the whole suggestion for a case or a text, with its reasons.

Each part has its own module: the classifier's categories (categories.py), the place (places.py), the department
(departments.py), the duplicates (duplicates.py), all reading what is kept in memory per process (snapshot.py);
how well it works is evaluation.py. Their public names are re-exported here, where other apps look them up."""

from __future__ import annotations

from dataclasses import dataclass

from cases.models import Case, Request
from org.models import User

from .categories import CategoryGuess, categories_for_text
from .departments import DepartmentGuess, department_for
from .duplicates import (
    DuplicateGuess,
    address_key,
    duplicate_candidates,
    duplicate_score,
    neighbouring_estates,
    text_similarity,
)
from .evaluation import outcome_summary
from .models import ClassifierVersion
from .places import PlaceMatch, place_for
from .snapshot import OrgSnapshot, active_classifier, org_snapshot, reset_caches

__all__ = [
    "CategoryGuess", "DepartmentGuess", "DuplicateGuess", "OrgSnapshot", "PlaceMatch", "Suggestion",
    "active_classifier", "address_key", "returned_departments", "categories_for_text", "department_for", "duplicate_candidates",
    "duplicate_score", "neighbouring_estates", "org_snapshot", "outcome_summary", "place_for", "reset_caches",
    "suggestion_for_case", "suggestion_for_text", "text_similarity",
]


@dataclass
class Suggestion:
    categories: list[CategoryGuess]
    place: PlaceMatch
    department: DepartmentGuess | None
    duplicates: list[DuplicateGuess]
    version: ClassifierVersion | None

    @property
    def category(self) -> CategoryGuess | None:
        return self.categories[0] if self.categories else None

    @property
    def reasons(self) -> str:
        """类别:群租 0.91,因为'群租''隔断';地址:愚园路128弄 → 金坛居民区 → 城管中队"""
        parts = []
        if self.category:
            because = "".join(f"'{e}'" for e in self.category.evidence)
            parts.append(f"类别:{self.category.category.name} {self.category.probability:.2f}"
                         + (f",因为{because}" if because else ""))
        else:
            parts.append("类别:暂无分类模型,请人工判断")
        if self.place.known:
            address = f"地址:{self.place.describe()}"
        else:
            address = "地址:未能识别,请人工确认所属居民区"
        if self.department:
            address += f" → {self.department.lead.name}"
        parts.append(address)
        if self.department and self.department.reason:
            parts.append(self.department.reason)
        if self.duplicates:
            top = self.duplicates[0]
            parts.append(f"疑似重复:{top.case.number} 相似度 {top.similarity:.2f}(文本 {top.text_similarity:.2f})")
        return ";".join(parts)


def returned_departments(case: Case) -> dict[int, str]:
    """The departments that returned this case with an approved 退单 (id → name): smart dispatch never proposes
    them for it again."""
    if not case.pk or not case.return_count:
        return {}
    return dict(Request.objects.filter(case=case, kind=Request.Kind.RETURN, status=Request.Status.APPROVED)
                .values_list("department_id", "department__name"))


def suggestion_for_text(
    *, content: str, address: str = "", latitude=None, longitude=None, user: User | None = None,
    case: Case | None = None, with_duplicates: bool = True, exclude: dict[int, str] | None = None,
) -> Suggestion:
    categories, version = categories_for_text(content)
    place = place_for(address, latitude, longitude, case=case)
    department = department_for(categories[0].category, place, version, exclude=exclude) if categories else None
    category_id = (case.category_id if case is not None and case.category_id else
                   categories[0].category.pk if categories else None)
    duplicates = duplicate_candidates(content=content, address=address, place=place, category_id=category_id,
                                      user=user, exclude=case, before=case.registered_at if case else None,
                                      ) if with_duplicates else []
    return Suggestion(categories, place, department, duplicates, version)


def suggestion_for_case(user: User | None, case: Case, *, with_duplicates: bool = True) -> Suggestion:
    """What smart dispatch proposes for a case: category top-3, place, lead (+ co) department, duplicates."""
    return suggestion_for_text(content=case.content, address=case.address, latitude=case.latitude,
                               longitude=case.longitude, user=user, case=case, with_duplicates=with_duplicates,
                               exclude=returned_departments(case))
