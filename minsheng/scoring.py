"""The ranking score of a theme: households affected plus a recency-weighted trend (pure; services and bench use it).

score = households + TREND_WEIGHT × Σ 0.5^(age in days / HALF_LIFE_DAYS) over the theme's records, age counted back
from `today` (the day of ranking). A theme of 100 households whose records are all a year old ranks below one of 80
households raising it this quarter: the leaders pick the year's 十大民生 from what is pressing now.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

HALF_LIFE_DAYS = 90
TREND_WEIGHT = 0.5


def recency(dates: Iterable[date | None], *, today: date | None) -> float:
    if today is None:
        return 0.0
    total = 0.0
    for day in dates:
        if day is not None:
            total += 0.5 ** (max(0, (today - day).days) / HALF_LIFE_DAYS)
    return total


def theme_score(*, households: int, dates: Iterable[date | None], today: date | None) -> float:
    return round(households + TREND_WEIGHT * recency(dates, today=today), 3)
