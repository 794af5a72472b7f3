"""Reads on the organisation: the address gazetteer and the responsibility matrix."""

from __future__ import annotations

from dataclasses import dataclass

from .addresses import ROAD_NUMBER, normalise_address
from .models import AddressRange, Category, Department, Estate, Grid, Neighbourhood, ResponsibilityRule

__all__ = ["Gazetteer", "Place", "active_departments", "normalise_address", "place_for_address", "responsibility_for"]


@dataclass(frozen=True)
class Place:
    estate: Estate | None
    neighbourhood: Neighbourhood | None
    grid: Grid | None
    matched: str


class Gazetteer:
    """The street's address ranges in memory: one load, then any number of lookups (bulk imports use one per job)."""

    def __init__(self, ranges: list[AddressRange], estates: list[Estate]):
        self._by_road: dict[str, list[AddressRange]] = {}
        for row in ranges:
            self._by_road.setdefault(row.road, []).append(row)
        self._estates = [e for e in estates if e.name]
        # Exports repeat addresses (one building, many calls): each distinct text is matched once per gazetteer.
        self._places: dict[str, Place | None] = {}

    @classmethod
    def load(cls) -> Gazetteer:
        ranges = list(AddressRange.objects.select_related("estate__neighbourhood", "estate__grid"))
        estates = list(Estate.objects.select_related("neighbourhood", "grid"))
        return cls(ranges, estates)

    def lookup(self, address: str) -> Place | None:
        try:
            return self._places[address]
        except KeyError:
            place = self._lookup(address)
        if len(self._places) < 50_000:
            self._places[address] = place
        return place

    def _lookup(self, address: str) -> Place | None:
        text = normalise_address(address)
        for match in ROAD_NUMBER.finditer(text):
            road, number, kind = match["road"], int(match["num"]), match["kind"]
            # The regex may have taken a prefix (e.g. "上海市静安区愚园路"): try the road's suffixes too.
            for name in [road, *_suffixes(road)]:
                for row in self._by_road.get(name, ()):
                    if row.kind == kind and row.first <= number <= row.last:
                        estate = row.estate
                        return Place(estate, estate.neighbourhood, estate.grid, f"{row.road}{number}{kind}")
        for estate in self._estates:
            if estate.name in text:
                return Place(estate, estate.neighbourhood, estate.grid, estate.name)
        return None


def place_for_address(address: str) -> Place | None:
    """The 小区 / 居民区 / 网格 of an address via the gazetteer, or None when it is unknown (never guessed)."""
    return Gazetteer.load().lookup(address)


def _suffixes(road: str) -> list[str]:
    return [road[i:] for i in range(1, len(road) - 1)]


def responsibility_for(category: Category, neighbourhood: Neighbourhood | None) -> ResponsibilityRule | None:
    """The matrix row for category × 居民区, falling back to the street-wide row."""
    rules = ResponsibilityRule.objects.select_related("lead_department").prefetch_related("co_departments")
    if neighbourhood is not None:
        rule = rules.filter(category=category, neighbourhood=neighbourhood).first()
        if rule:
            return rule
    return rules.filter(category=category, neighbourhood__isnull=True).first()


def active_departments():
    return Department.objects.filter(is_active=True)


def address_options() -> list[tuple[str, str]]:
    """Gazetteer entries for an address field's autocomplete: (value typed, label shown)."""
    return [(f"{r.road}{r.first}{r.kind}", f"{r.estate.name} · {r.road}{r.first}–{r.last}{r.kind}")
            for r in AddressRange.objects.select_related("estate").order_by("road", "first")]
