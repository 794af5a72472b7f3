"""The category part of a suggestion: the classifier's top guesses for a text, with the words that weighed most."""

from __future__ import annotations

import re
from dataclasses import dataclass

from org.models import Category

from .models import ClassifierVersion
from .pipeline import Prediction, predict_top
from .snapshot import active_classifier, org_snapshot


@dataclass(frozen=True)
class CategoryGuess:
    category: Category
    probability: float
    evidence: tuple[str, ...]


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
