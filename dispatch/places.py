"""The place part of a suggestion: the case's own place, else spelling variants of Shanghai addresses tried
against the gazetteer and the landmarks, then coordinates → 网格 by polygon. An address nobody can place is
reported as unknown, never guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from org.addresses import ROAD_NUMBER, chinese_to_int, normalise_address
from org.models import Estate, Grid, Neighbourhood
from org.selectors import Gazetteer

from .snapshot import org_snapshot

if TYPE_CHECKING:
    from cases.models import Case

_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+(?=[弄号衖室栋幢])")
# Spellings seen in hotline texts for the same thing.
_VARIANTS = [("邨", "村"), ("村", "邨"), ("號", "号")]
# 愚园路128-3号 / 愚园路128—3 / 愚园路128弄-3号: lane and house written with a dash.
_DASHED = re.compile(r"(?P<road>[\u4e00-\u9fff]+?(?:路|街|道|里|坊|巷))(?P<lane>\d+)\s*[-—–－]\s*(?P<house>\d+)号?")


@dataclass(frozen=True)
class PlaceMatch:
    estate: Estate | None
    neighbourhood: Neighbourhood | None
    grid: Grid | None
    matched: str
    how: str  # "address" | "estate_name" | "coordinates" | ""

    @property
    def known(self) -> bool:
        return self.neighbourhood is not None

    def describe(self) -> str:
        parts = [p for p in (self.matched, self.estate and self.estate.name,
                             self.neighbourhood and self.neighbourhood.name, self.grid and self.grid.name) if p]
        return " → ".join(dict.fromkeys(parts))


UNKNOWN = PlaceMatch(None, None, None, "", "")


def address_variants(address: str) -> list[str]:
    """The address as typed (normalised: full-width digits, spaces, 衖) and the spellings it may stand for."""
    text = normalise_address(address)
    text = _CN_NUMBER.sub(lambda m: str(chinese_to_int(m.group(0)) if chinese_to_int(m.group(0)) is not None
                                        else m.group(0)), text)
    variants = [text]
    dashed = _DASHED.search(text)
    if dashed:
        variants.append(f"{dashed['road']}{dashed['lane']}弄{dashed['house']}号")
    for wrong, right in _VARIANTS:
        if wrong in text:
            variants.append(text.replace(wrong, right))
    return list(dict.fromkeys(variants))


def place_from_address(gazetteer: Gazetteer, address: str) -> PlaceMatch:
    for variant in address_variants(address):
        place = gazetteer.lookup(variant)
        if place is not None:
            how = "estate_name" if place.estate is not None and place.matched == place.estate.name else "address"
            return PlaceMatch(place.estate, place.neighbourhood, place.grid, place.matched, how)
    return UNKNOWN


def point_in_polygon(lng: float, lat: float, polygon: list[list[float]]) -> bool:
    """Ray casting; the polygon is [[lng, lat], ...], closed or not."""
    inside = False
    points = len(polygon)
    for i in range(points):
        x1, y1 = polygon[i]
        x2, y2 = polygon[(i + 1) % points]
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lng < x_cross:
                inside = not inside
    return inside


def grid_for_point(grids: list[Grid], latitude: float, longitude: float) -> Grid | None:
    for grid in grids:
        if grid.polygon and point_in_polygon(float(longitude), float(latitude), grid.polygon):
            return grid
    return None


def place_for(address: str = "", latitude=None, longitude=None, *, case: Case | None = None) -> PlaceMatch:
    """The case's own place when registration found one, else the address variants, else the coordinates."""
    snapshot = org_snapshot()
    if case is not None and case.neighbourhood_id:
        grid = next((g for g in snapshot.grids if g.pk == case.grid_id), None)
        estate = snapshot.estates.get(case.estate_id)
        return PlaceMatch(estate, snapshot.neighbourhoods.get(case.neighbourhood_id), grid,
                          lane_of(case.address) or (estate.name if estate else ""), "case")
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


def lane_of(address: str) -> str:
    """愚园路128弄3号501室 → 愚园路128弄: the place without the house and room."""
    match = ROAD_NUMBER.search(address_variants(address)[0]) if address else None
    return match.group(0) if match else ""
