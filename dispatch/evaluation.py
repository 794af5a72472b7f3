"""How well duplicate detection works on the street's own history, to choose DISPATCH_DUPLICATE_THRESHOLD.

Every case merged into a master (重复件) is a positive pair; every other case at the same or a neighbouring
小区 that was still open when the case came in, within the window, is a negative pair. For each threshold
the pairs above it give precision, recall and F1."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q

from cases.models import Case

from .selectors import (
    active_classifier,
    address_key,
    duplicate_score,
    neighbouring_estates,
    org_snapshot,
    place_for,
    text_similarity,
)

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
