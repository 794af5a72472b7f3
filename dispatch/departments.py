"""The department part of a suggestion: lead and co-departments for a category at a place, with the reason."""

from __future__ import annotations

from dataclasses import dataclass

from org.models import Category, Department

from .models import ClassifierVersion
from .places import PlaceMatch
from .snapshot import org_snapshot


@dataclass(frozen=True)
class DepartmentGuess:
    lead: Department
    co: list[Department]
    reason: str


def department_for(category: Category, place: PlaceMatch, version: ClassifierVersion | None = None, *,
                   exclude: dict[int, str] | None = None) -> DepartmentGuess | None:
    """Responsibility matrix for category × 居民区; the 小区's own 物业 where the matrix names a 物业公司;
    then history: when this 小区's (or 居民区's) closed cases of the category mostly ended with another
    department, that department, with the count as the reason. `exclude` (id → name): departments that
    returned this case with an approved 退单 — never proposed again; a co-department takes the lead, or none."""
    guess = _department_for(category, place, version)
    if guess is None or not exclude:
        return guess
    co = [d for d in guess.co if d.pk not in exclude]
    if guess.lead.pk not in exclude:
        return DepartmentGuess(guess.lead, co, guess.reason) if len(co) != len(guess.co) else guess
    returned = exclude[guess.lead.pk]
    if co:
        return DepartmentGuess(co[0], co[1:], f"{returned}已退单,改由原协办单位{co[0].name}主办")
    return None


def _department_for(category: Category, place: PlaceMatch, version: ClassifierVersion | None) -> DepartmentGuess | None:
    snapshot = org_snapshot()
    neighbourhood_id = place.neighbourhood.pk if place.neighbourhood else None
    found = snapshot.rules.get((category.pk, neighbourhood_id)) or snapshot.rules.get((category.pk, None))
    lead, co, reason = (found[0], list(found[1]), "依据责任矩阵") if found else (None, [], "")
    estate_company = None
    if place.estate is not None and place.estate.property_company_id:
        estate_company = snapshot.departments.get(place.estate.property_company_id)
    if estate_company is not None:
        if lead is not None and lead.kind == Department.Kind.PROPERTY and lead != estate_company:
            lead, reason = estate_company, f"依据责任矩阵,由{place.estate.name}的物业公司主办"
        co = [estate_company if d.kind == Department.Kind.PROPERTY else d for d in co]
    history = (version.department_history if version else None) or {}
    # History at 居民区 level must not overrule the 小区's own 物业公司: only the 小区's history can.
    levels = [(f"e:{category.code}:{place.estate.pk}" if place.estate else None, "该小区", 0.6)]
    if not (estate_company is not None and lead == estate_company):
        levels.append((f"n:{category.code}:{neighbourhood_id}" if neighbourhood_id else None, "该居民区", 0.7))
    for key, where, share in levels:
        counts = history.get(key) if key else None
        if not counts:
            continue
        total = sum(counts.values())
        best_id, best = max(counts.items(), key=lambda item: item[1])
        department = snapshot.departments.get(int(best_id))
        if department is None or not department.is_active or total < 3 or best / total < share:
            continue
        if lead is None or department.pk != lead.pk:
            reason = f"历史:{where}同类结案工单 {total} 件中 {best} 件由{department.name}办结"
            lead = department
        else:
            reason += f",历史印证({where} {best}/{total} 件)"
        break
    if lead is None:
        return None
    co = [d for d in dict.fromkeys(co) if d.pk != lead.pk and d.is_active]
    return DepartmentGuess(lead, co, reason)
