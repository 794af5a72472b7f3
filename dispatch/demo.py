"""Landmarks of the demo street, so 受理 texts like 久光百货门口 are placed (loaded by load_demo)."""

from __future__ import annotations

from org.models import Estate, Neighbourhood

from .models import Landmark

# name, aliases, 居民区 code, 小区 name (or "")
DEMO_LANDMARKS = [
    ("静安寺", "静安古寺", "JABS", ""),
    ("久光百货", "久光,静安久光", "JABS", "静安别墅"),
    ("静安公园", "", "SYF", "三义坊"),
    ("愚园路菜场", "愚园菜场", "JT", "愚园新村"),
    ("常德路菜场", "", "CD", "常德新村"),
    ("胶州路小学", "", "ZH", "胶州花园"),
]


def demo_landmarks_load() -> int:
    made = 0
    for name, aliases, code, estate_name in DEMO_LANDMARKS:
        neighbourhood = Neighbourhood.objects.filter(code=code).first()
        if neighbourhood is None:
            continue
        estate = Estate.objects.filter(neighbourhood=neighbourhood, name=estate_name).first() if estate_name else None
        _, created = Landmark.objects.get_or_create(name=name, defaults={
            "aliases": aliases, "neighbourhood": neighbourhood, "estate": estate,
            "grid": estate.grid if estate else neighbourhood.grids.first()})
        made += created
    return made
