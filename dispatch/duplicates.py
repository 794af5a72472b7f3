"""The duplicate part of a suggestion: open cases at the same or a neighbouring address whose text, house and
category make them look like the same report, scored 0…1 against DISPATCH_DUPLICATE_THRESHOLD."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from math import sqrt

from django.conf import settings
from django.db.models import Q

from cases import policy
from cases.models import OPEN_STATES, Case, State
from core import clock
from org.addresses import ROAD_NUMBER, up_to_house
from org.models import User

from .pipeline import MAX_CHARS
from .places import PlaceMatch, address_variants, lane_of
from .snapshot import org_snapshot

NEIGHBOUR_NUMBERS = 10
# Weights chosen on the demo street's merged 重复件 (python manage.py evaluate_duplicates; README).
TEXT_WEIGHT, PLACE_WEIGHT, CATEGORY_WEIGHT = 0.4, 0.4, 0.2


@dataclass(frozen=True)
class DuplicateGuess:
    case: Case
    similarity: float  # the score compared with DISPATCH_DUPLICATE_THRESHOLD
    text_similarity: float


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
        for match in ROAD_NUMBER.finditer(variant):
            number = int(match["num"])
            for road, rows in snapshot.ranges_by_road.items():
                if not match["road"].endswith(road):
                    continue
                for first, last, _kind, estate_id in rows:
                    if first - NEIGHBOUR_NUMBERS <= number <= last + NEIGHBOUR_NUMBERS:
                        estates.add(estate_id)
    return estates


def address_key(address: str) -> tuple[str, str]:
    """(愚园路128弄3号, 愚园路128弄): the house and the lane of an address, without the room."""
    text = address_variants(address)[0] if address else ""
    return up_to_house(text) or text, lane_of(address)


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
