"""How well smart dispatch works: duplicate detection on the street's own history (to choose
DISPATCH_DUPLICATE_THRESHOLD) and how often dispatchers followed the suggestions.

Every case merged into a master (重复件) is a positive pair; every other case at the same or a neighbouring
小区 that was still open when the case came in, within the window, is a negative pair. For each threshold
the pairs above it give precision, recall and F1."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q

from cases.models import Case
from core import clock

from .duplicates import address_key, duplicate_score, neighbouring_estates, text_similarity
from .models import DispatchOutcome
from .places import place_for
from .snapshot import active_classifier, org_snapshot

THRESHOLDS = [round(0.05 * n, 2) for n in range(4, 20)]


def duplicate_pairs(*, days: int = 30, limit: int | None = None) -> list[tuple[float, bool]]:
    """(score, is_duplicate) for every candidate pair in the database; the new case's category is the
    classifier's guess (as at registration), the earlier case's is its recorded one."""
    pairs: list[tuple[float, bool]] = []
    cases = Case.objects.exclude(estate__isnull=True).order_by("registered_at", "id")
    if limit:
        cases = cases[:limit]
    cases = list(cases.only("id", "content", "address", "estate_id", "neighbourhood_id", "grid_id", "registered_at",
                            "master_id"))
    loaded = active_classifier()
    codes = loaded[1].predict([c.content for c in cases]) if loaded and cases else [None] * len(cases)
    categories = org_snapshot().categories
    for case, code in zip(cases, codes, strict=True):
        guessed = categories[code].pk if code in categories else None
        house, lane = address_key(case.address)
        estates = neighbouring_estates(case.address, place_for(case=case))
        earlier = (Case.objects.filter(estate_id__in=estates, registered_at__lt=case.registered_at,
                                       registered_at__gte=case.registered_at - timedelta(days=days))
                   .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=case.registered_at))
                   .exclude(master__isnull=False).only("id", "content", "address", "category_id"))
        for other in earlier:
            other_house, other_lane = address_key(other.address)
            score = duplicate_score(text=text_similarity(case.content, other.content), same_house=house == other_house,
                                    same_lane=bool(lane) and lane == other_lane,
                                    same_category=guessed is not None and guessed == other.category_id)
            pairs.append((score, other.pk == case.master_id))
    return pairs


def duplicates_evaluate(*, days: int = 30, limit: int | None = None) -> dict:
    pairs = duplicate_pairs(days=days, limit=limit)
    positives = sum(1 for _, dup in pairs if dup)
    rows = []
    for threshold in THRESHOLDS:
        hits = [dup for similarity, dup in pairs if similarity >= threshold]
        true = sum(hits)
        precision = true / len(hits) if hits else 0.0
        recall = true / positives if positives else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"threshold": threshold, "precision": round(precision, 3), "recall": round(recall, 3),
                     "f1": round(f1, 3), "offered": len(hits)})
    best = max(rows, key=lambda r: (r["f1"], -r["threshold"])) if rows else None
    return {"pairs": len(pairs), "duplicates": positives, "days": days, "by_threshold": rows, "best": best}


def outcome_summary(*, days: int = 30) -> dict:
    """How often dispatchers followed the suggestion in the last `days` days (派单 with a classifier in use)."""
    rows = DispatchOutcome.objects.filter(at__gte=clock.now() - timedelta(days=days)).aggregate(
        dispatched=Count("id"), category_overridden=Count("id", filter=Q(category_overridden=True)),
        department_overridden=Count("id", filter=Q(department_overridden=True)),
        automatic=Count("id", filter=Q(automatic=True)))
    total = rows["dispatched"]
    rows["category_accepted_rate"] = round(1 - rows["category_overridden"] / total, 3) if total else None
    rows["department_accepted_rate"] = round(1 - rows["department_overridden"] / total, 3) if total else None
    return {"days": days, **rows}
