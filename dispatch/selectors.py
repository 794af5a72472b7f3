"""Reads of smart dispatch: the classifier in use, place, department and duplicates for a text and address,
and the whole suggestion with its reasons. Everything a suggestion needs is held in memory per process
(organisation snapshot, loaded pipeline) so one suggestion costs a couple of indexed queries."""

from __future__ import annotations

import io
import logging
import re
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from math import sqrt

import joblib
from django.conf import settings
from django.db.models import Q

from cases import policy
from cases.models import OPEN_STATES, Case, State
from core import clock
from org.models import Category, Department, Estate, Grid, Neighbourhood, ResponsibilityRule, User
from org.selectors import Gazetteer

from .models import ClassifierVersion, Landmark
from .pipeline import MAX_CHARS, Prediction, predict_top
from .places import UNKNOWN, PlaceMatch, address_variants, grid_for_point, place_from_address

logger = logging.getLogger(__name__)
SNAPSHOT_SECONDS = 60
NEWEST_CHECK_SECONDS = 5
_newest_checked = 0.0
_lock = threading.Lock()
_snapshot: tuple[float, OrgSnapshot] | None = None
_classifier: tuple[int, ClassifierVersion, object] | None = None


# --- what is kept in memory ------------------------------------------------------------------------


@dataclass
class OrgSnapshot:
    gazetteer: Gazetteer
    grids: list[Grid]
    categories: dict[str, Category]  # by code, leaves only
    departments: dict[int, Department]
    rules: dict[tuple[int, int | None], tuple[Department, list[Department]]]
    # road → [(first, last, kind, estate_id)], for neighbouring addresses
    ranges_by_road: dict[str, list[tuple[int, int, str, int]]] = field(default_factory=dict)
    estates: dict[int, Estate] = field(default_factory=dict)
    neighbourhoods: dict[int, Neighbourhood] = field(default_factory=dict)
    vocabulary: frozenset[str] = frozenset()  # category names and keywords, for explanations
    landmarks: list[tuple[str, Landmark]] = field(default_factory=list)  # (name or alias, landmark), longest first

    @classmethod
    def load(cls) -> OrgSnapshot:
        gazetteer = Gazetteer.load()
        departments = {d.pk: d for d in Department.objects.all()}
        rules = {}
        for rule in ResponsibilityRule.objects.prefetch_related("co_departments"):
            rules[(rule.category_id, rule.neighbourhood_id)] = (
                departments[rule.lead_department_id], [departments[d.pk] for d in rule.co_departments.all()])
        ranges: dict[str, list[tuple[int, int, str, int]]] = {}
        for road, rows in gazetteer._by_road.items():
            ranges[road] = [(r.first, r.last, r.kind, r.estate_id) for r in rows]
        categories = {c.code: c for c in Category.objects.filter(parent__isnull=False).select_related("parent")}
        estates = {e.pk: e for e in Estate.objects.select_related("neighbourhood", "grid")}
        neighbourhoods = {n.pk: n for n in Neighbourhood.objects.all()}
        vocabulary = frozenset(w.strip() for c in categories.values()
                               for w in [c.name, *(c.keywords or "").replace(",", ",").split(",")] if len(w.strip()) >= 2)
        landmarks = sorted(((name, landmark) for landmark in Landmark.objects.select_related("neighbourhood", "grid", "estate")
                            for name in landmark.names), key=lambda item: -len(item[0]))
        return cls(gazetteer, list(Grid.objects.select_related("neighbourhood")), categories, departments, rules,
                   ranges, estates, neighbourhoods, vocabulary, landmarks)


def org_snapshot() -> OrgSnapshot:
    global _snapshot
    current = _snapshot
    if current is None or time.monotonic() - current[0] > SNAPSHOT_SECONDS:
        with _lock:
            current = (time.monotonic(), OrgSnapshot.load())
            _snapshot = current
    return current[1]


def reset_caches(*, keep_classifier: bool = False) -> None:
    """Forget the in-memory organisation and classifier (after org changes, a new training, between tests)."""
    global _snapshot, _classifier, _newest_checked
    _snapshot = None
    _newest_checked = 0.0
    if not keep_classifier:
        _classifier = None


def active_classifier() -> tuple[ClassifierVersion, object] | None:
    """The newest trained version and its loaded pipeline, loaded once per process and version."""
    global _classifier, _newest_checked
    current = _classifier
    # Which version is newest is asked at most every few seconds: another process may have trained one.
    if current is not None and time.monotonic() - _newest_checked < NEWEST_CHECK_SECONDS:
        return current[1], current[2]
    newest = ClassifierVersion.objects.order_by("-trained_at", "-id").values_list("pk", flat=True).first()
    _newest_checked = time.monotonic()
    if newest is None:
        _classifier = None
        return None
    if current is None or current[0] != newest:
        with _lock:
            version = ClassifierVersion.objects.defer("model").get(pk=newest)
            blob = ClassifierVersion.objects.filter(pk=newest).values_list("model", flat=True).get()
            try:
                pipeline = joblib.load(io.BytesIO(bytes(blob)))
            except Exception:  # e.g. stored by another scikit-learn version: suggest nothing rather than fail
                logger.exception("classifier version %s cannot be loaded; run manage.py train_classifier", newest)
                return None
            current = (newest, version, pipeline)
            _classifier = current
    return current[1], current[2]


# --- the parts of a suggestion -----------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryGuess:
    category: Category
    probability: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class DepartmentGuess:
    lead: Department
    co: list[Department]
    reason: str


@dataclass(frozen=True)
class DuplicateGuess:
    case: Case
    similarity: float  # the score compared with DISPATCH_DUPLICATE_THRESHOLD
    text_similarity: float


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


def categories_for_text(text: str, *, k: int = 3) -> tuple[list[CategoryGuess], ClassifierVersion | None]:
    loaded = active_classifier()
    if loaded is None or not (text or "").strip():
        return [], loaded[0] if loaded else None
    version, pipeline = loaded
    categories = org_snapshot().categories
    guesses = []
    for prediction in predict_top(pipeline, text, k=k, vocabulary=org_snapshot().vocabulary):
        category = categories.get(prediction.label)
        if category is not None:
            guesses.append(CategoryGuess(category, prediction.probability, _readable(prediction)))
    return guesses, version


def _readable(prediction: Prediction) -> tuple[str, ...]:
    return tuple(e for e in prediction.evidence if re.fullmatch(r"[\u4e00-\u9fffA-Za-z]{2,}", e))


def place_for(address: str = "", latitude=None, longitude=None, *, case: Case | None = None) -> PlaceMatch:
    """The case's own place when registration found one, else the address variants, else the coordinates."""
    snapshot = org_snapshot()
    if case is not None and case.neighbourhood_id:
        grid = next((g for g in snapshot.grids if g.pk == case.grid_id), None)
        estate = snapshot.estates.get(case.estate_id)
        return PlaceMatch(estate, snapshot.neighbourhoods.get(case.neighbourhood_id), grid,
                          _lane_of(case.address) or (estate.name if estate else ""), "case")
    if address and address.strip():
        place = place_from_address(snapshot.gazetteer, address)
        if place.known:
            return place
        text = address_variants(address)[0]
        for name, landmark in snapshot.landmarks:
            if name in text:
                return PlaceMatch(landmark.estate, landmark.neighbourhood, landmark.grid or (
                    landmark.estate.grid if landmark.estate else None), name, "landmark")
    if latitude is not None and longitude is not None:
        grid = grid_for_point(snapshot.grids, float(latitude), float(longitude))
        if grid is not None:
            return PlaceMatch(None, grid.neighbourhood, grid, f"{float(latitude):.5f},{float(longitude):.5f}",
                              "coordinates")
    return UNKNOWN


def _lane_of(address: str) -> str:
    """愚园路128弄3号501室 → 愚园路128弄: the place without the house and room."""
    match = _LANE.search(address_variants(address)[0]) if address else None
    return match.group(0) if match else ""


def department_for(category: Category, place: PlaceMatch, version: ClassifierVersion | None = None) -> DepartmentGuess | None:
    """Responsibility matrix for category × 居民区; the 小区's own 物业 where the matrix names a 物业公司;
    then history: when this 小区's (or 居民区's) closed cases of the category mostly ended with another
    department, that department, with the count as the reason."""
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


# --- duplicates --------------------------------------------------------------------------------------

_LANE = re.compile(r"(?P<road>[\u4e00-\u9fff]{1,12}?(?:路|街|道|里|坊|巷))(?P<num>\d+)(?P<kind>弄|号)")
NEIGHBOUR_NUMBERS = 10


def text_similarity(a: str, b: str) -> float:
    """Cosine similarity of the character-bigram counts of two texts (0…1)."""
    return _cosine(_bigrams(a), _bigrams(b))


def _cosine(left: Counter, right: Counter) -> float:
    if not left or not right:
        return 0.0
    dot = sum(n * right.get(g, 0) for g, n in left.items())
    return dot / (sqrt(sum(n * n for n in left.values())) * sqrt(sum(n * n for n in right.values())))


def _bigrams(text: str) -> Counter:
    # Numbers stay: the same 号 and 室 in two reports is part of what makes them the same report.
    text = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", unicodedata.normalize("NFKC", text or "")[:MAX_CHARS])
    return Counter(text[i:i + 2] for i in range(len(text) - 1))


def neighbouring_estates(address: str, place: PlaceMatch) -> set[int]:
    """The 小区 of the address and those within a few numbers on the same road (a 弄 across the street)."""
    snapshot = org_snapshot()
    estates = {place.estate.pk} if place.estate else set()
    for variant in address_variants(address):
        for match in _LANE.finditer(variant):
            number = int(match["num"])
            for road, rows in snapshot.ranges_by_road.items():
                if not match["road"].endswith(road):
                    continue
                for first, last, _kind, estate_id in rows:
                    if first - NEIGHBOUR_NUMBERS <= number <= last + NEIGHBOUR_NUMBERS:
                        estates.add(estate_id)
    return estates


# Weights chosen on the demo street's merged 重复件 (python manage.py evaluate_duplicates; README).
TEXT_WEIGHT, PLACE_WEIGHT, CATEGORY_WEIGHT = 0.4, 0.4, 0.2


def address_key(address: str) -> tuple[str, str]:
    """(愚园路128弄3号, 愚园路128弄): the house and the lane of an address, without the room."""
    text = address_variants(address)[0] if address else ""
    house = re.match(r"^(.*?\d+\s*[弄号](?:\d+号)?)", text)
    return (house.group(1) if house else text), _lane_of(address)


def duplicate_score(*, text: float, same_house: bool, same_lane: bool, same_category: bool) -> float:
    """Text similarity, the same house (or only the same 弄) and the same category, weighted into 0…1."""
    place = 1.0 if same_house else 0.5 if same_lane else 0.0
    return TEXT_WEIGHT * text + PLACE_WEIGHT * place + CATEGORY_WEIGHT * (1.0 if same_category else 0.0)


def duplicate_candidates(
    *, content: str, address: str, place: PlaceMatch, category_id: int | None = None, user: User | None = None,
    exclude: Case | None = None, before=None, threshold: float | None = None, days: int | None = None, limit: int = 5,
) -> list[DuplicateGuess]:
    """Open cases at the same or a neighbouring address in the window that score above the threshold."""
    threshold = settings.DISPATCH_DUPLICATE_THRESHOLD if threshold is None else threshold
    days = settings.DISPATCH_DUPLICATE_DAYS if days is None else days
    moment = before or clock.now()
    estates = neighbouring_estates(address, place)
    if estates:
        where = Q(estate_id__in=estates)
    elif address and len(address.strip()) >= 4:
        where = Q(address__startswith=address_key(address)[0] or address.strip())
    else:
        return []
    queryset = policy.visible_cases(user) if user is not None else Case.objects.all()
    queryset = queryset.filter(where, state__in=OPEN_STATES - {State.MERGED}, master__isnull=True,
                               registered_at__gte=moment - timedelta(days=days), registered_at__lte=moment)
    if exclude is not None and exclude.pk:
        queryset = queryset.exclude(pk=exclude.pk)
    house, lane = address_key(address)
    mine = _bigrams(content)
    found = []
    fields = ("id", "number", "title", "content", "state", "registered_at", "address", "category_id", "citizen_name")
    for other in queryset.only(*fields).order_by("-registered_at")[:300]:
        other_house, other_lane = address_key(other.address)
        same = {"same_house": bool(house) and house == other_house, "same_lane": bool(lane) and lane == other_lane,
                "same_category": category_id is not None and category_id == other.category_id}
        if duplicate_score(text=1.0, **same) < threshold:
            continue  # even the same words could not make it a duplicate: skip comparing the texts
        text = _cosine(mine, _bigrams(other.content))
        score = duplicate_score(text=text, **same)
        if score >= threshold:
            found.append(DuplicateGuess(other, round(score, 3), round(text, 3)))
    found.sort(key=lambda d: -d.similarity)
    return found[:limit]


# --- the whole suggestion ----------------------------------------------------------------------------


def suggestion_for_text(
    *, content: str, address: str = "", latitude=None, longitude=None, user: User | None = None,
    case: Case | None = None, with_duplicates: bool = True,
) -> Suggestion:
    categories, version = categories_for_text(content)
    place = place_for(address, latitude, longitude, case=case)
    department = department_for(categories[0].category, place, version) if categories else None
    category_id = (case.category_id if case is not None and case.category_id else
                   categories[0].category.pk if categories else None)
    duplicates = duplicate_candidates(content=content, address=address, place=place, category_id=category_id,
                                      user=user, exclude=case, before=case.registered_at if case else None,
                                      ) if with_duplicates else []
    return Suggestion(categories, place, department, duplicates, version)


def suggestion_for_case(user: User | None, case: Case, *, with_duplicates: bool = True) -> Suggestion:
    """What smart dispatch proposes for a case: category top-3, place, lead (+ co) department, duplicates."""
    return suggestion_for_text(content=case.content, address=case.address, latitude=case.latitude,
                               longitude=case.longitude, user=user, case=case, with_duplicates=with_duplicates)


def outcome_summary(*, days: int = 30) -> dict:
    """How often dispatchers followed the suggestion in the last `days` days (派单 with a classifier in use)."""
    from django.db.models import Count

    from .models import DispatchOutcome

    rows = DispatchOutcome.objects.filter(at__gte=clock.now() - timedelta(days=days)).aggregate(
        dispatched=Count("id"), category_overridden=Count("id", filter=Q(category_overridden=True)),
        department_overridden=Count("id", filter=Q(department_overridden=True)),
        automatic=Count("id", filter=Q(automatic=True)))
    total = rows["dispatched"]
    rows["category_accepted_rate"] = round(1 - rows["category_overridden"] / total, 3) if total else None
    rows["department_accepted_rate"] = round(1 - rows["department_overridden"] / total, 3) if total else None
    return {"days": days, **rows}
