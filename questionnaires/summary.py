"""Per-question summaries of one form version's answers in the reader's scope: counts and shares for the selects,
mean/median/min/max for numbers, the answered count for the others; and the ECharts options the results page draws
(static/js/results.js with static/vendor/echarts.min.js). Counts only: no answer text reaches a summary."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from org.models import User

from .exports import Question, questions, selected, version_submissions
from .models import FormVersion

NUMBER_TYPES = {"integer", "decimal"}
SELECT_TYPES = {"select_one", "select_multiple"}


@dataclass
class QuestionSummary:
    name: str
    label: str
    type: str
    repeat: str
    answered: int
    total: int  # submissions (or repeat items) it could have been answered in
    rows: list[dict] = field(default_factory=list)  # selects: {"label", "count", "percent"}
    stats: dict[str, float | None] = field(default_factory=dict)  # numbers: mean, median, min, max

    @property
    def chart(self) -> dict | None:
        if self.type in SELECT_TYPES and self.rows:
            return {"id": f"chart-{self.repeat}-{self.name}".replace(" ", "_"), "title": self.label,
                    "labels": [r["label"] for r in self.rows], "values": [r["count"] for r in self.rows],
                    "kind": "bar" if self.type == "select_multiple" or len(self.rows) > 5 else "pie"}
        return None


@dataclass
class VersionSummary:
    version: FormVersion
    submissions: int
    questions: list[QuestionSummary]

    @property
    def charts(self) -> list[dict]:
        return [q.chart for q in self.questions if q.chart]


def _number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _percent(count: int, base: int) -> float:
    return round(count * 100 / base, 1) if base else 0.0


def summarise(q: Question, values: list[Any]) -> QuestionSummary:
    """One question over its values (one per submission or repeat item; None/"" for not answered)."""
    answered_values = [v for v in values if v not in (None, "", [])]
    summary = QuestionSummary(name=q.name, label=q.label, type=q.type, repeat=q.repeat,
                              answered=len(answered_values), total=len(values))
    if q.type in SELECT_TYPES:
        counts: Counter[str] = Counter()
        for value in answered_values:
            counts.update(selected(value) if q.type == "select_multiple" else [str(value)])
        known = [str(c.get("name")) for c in q.choices]
        for choice in q.choices:
            name = str(choice.get("name"))
            summary.rows.append({"name": name, "label": choice.get("label") or name, "count": counts.get(name, 0),
                                 "percent": _percent(counts.get(name, 0), summary.answered)})
        for name, count in sorted(counts.items()):
            if name not in known:
                summary.rows.append({"name": name, "label": name, "count": count,
                                     "percent": _percent(count, summary.answered)})
    elif q.type in NUMBER_TYPES:
        numbers = [n for n in (_number(v) for v in answered_values) if n is not None]
        summary.stats = {
            "mean": round(statistics.fmean(numbers), 2) if numbers else None,
            "median": round(statistics.median(numbers), 2) if numbers else None,
            "min": min(numbers) if numbers else None, "max": max(numbers) if numbers else None,
        }
    return summary


def version_summary(user: User, version: FormVersion) -> VersionSummary:
    all_questions = questions(version.spec or {})
    values: dict[tuple[str, str], list[Any]] = {(q.repeat, q.name): [] for q in all_questions}
    count = 0
    for data in version_submissions(user, version).values_list("data", flat=True).iterator(chunk_size=2000):
        count += 1
        data = data or {}
        for q in all_questions:
            if not q.repeat:
                values[q.repeat, q.name].append(data.get(q.name))
            else:
                for item in data.get(q.repeat) or []:
                    if isinstance(item, dict):
                        values[q.repeat, q.name].append(item.get(q.name))
    return VersionSummary(version=version, submissions=count,
                          questions=[summarise(q, values[q.repeat, q.name]) for q in all_questions])
