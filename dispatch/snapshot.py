"""What smart dispatch keeps in memory per process: the organisation snapshot and the classifier in use.

One suggestion then costs a couple of indexed queries; signals.py forgets the snapshot when the organisation
changes, training forgets both."""

from __future__ import annotations

import io
import logging
import threading
import time
from dataclasses import dataclass, field

import joblib

from org.models import Category, Department, Estate, Grid, Neighbourhood, ResponsibilityRule
from org.selectors import Gazetteer

from .models import ClassifierVersion, Landmark

logger = logging.getLogger(__name__)
SNAPSHOT_SECONDS = 60
NEWEST_CHECK_SECONDS = 5
_newest_checked = 0.0
_lock = threading.Lock()
_snapshot: tuple[float, OrgSnapshot] | None = None
_classifier: tuple[int, ClassifierVersion, object] | None = None


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
