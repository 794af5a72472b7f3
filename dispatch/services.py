"""Writes of smart dispatch: training a classifier version, evaluating the pipeline on any labelled corpus,
recording what was suggested against what was dispatched, and the optional auto-dispatch."""

from __future__ import annotations

import io
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import joblib
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

from cases import services as case_services
from cases.models import Case, CaseEvent, Request, State
from core import clock
from core.errors import DomainError, ValidationFailed
from org.models import Category

from . import selectors, snapshot
from .models import ClassifierVersion, DispatchOutcome
from .pipeline import build_pipeline

logger = logging.getLogger(__name__)

# Category name and keywords as extra training texts: a category nobody has closed yet is still known.
KEYWORD_COPIES = 5
MIN_SAMPLES = 2


# --- evaluation, shared by training and evaluate_classifier --------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    macro_f1: float
    accuracy: float
    train_seconds: float
    predict_per_second: float
    n_train: int
    n_test: int
    n_labels: int

    def as_dict(self) -> dict[str, Any]:
        return {"macro_f1": round(self.macro_f1, 4), "accuracy": round(self.accuracy, 4),
                "train_seconds": round(self.train_seconds, 3), "predict_per_second": round(self.predict_per_second, 1),
                "n_train": self.n_train, "n_test": self.n_test, "n_labels": self.n_labels}


def classifier_evaluate(*, train_texts: list[str], train_labels: list[str], test_texts: list[str],
                        test_labels: list[str]) -> Evaluation:
    """Train exactly the production pipeline on the training set and measure it on the test set."""
    if len(set(train_labels)) < 2:
        raise ValidationFailed("训练集至少需要两个不同的类别 / the training set needs at least two distinct labels")
    if not test_texts:
        raise ValidationFailed("测试集为空 / the test set is empty")
    pipeline = build_pipeline()
    started = time.perf_counter()
    pipeline.fit(train_texts, train_labels)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predicted = pipeline.predict(test_texts)
    predict_seconds = max(time.perf_counter() - started, 1e-9)
    return Evaluation(
        macro_f1=float(f1_score(test_labels, predicted, average="macro", zero_division=0)),
        accuracy=float(accuracy_score(test_labels, predicted)), train_seconds=train_seconds,
        predict_per_second=len(test_texts) / predict_seconds, n_train=len(train_texts), n_test=len(test_texts),
        n_labels=len(set(train_labels) | set(test_labels)),
    )


# --- training on the street's own cases --------------------------------------------------------------


def training_cases():
    """Closed cases with their final category: what the street decided, overrides included."""
    return (Case.objects.filter(state=State.CLOSED, category__isnull=False, category__parent__isnull=False,
                                master__isnull=True)
            .order_by("id"))


def training_data() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for content, code in training_cases().values_list("content", "category__code").iterator(chunk_size=2000):
        texts.append(content)
        labels.append(code)
    return texts, labels


def keyword_texts() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for category in Category.objects.filter(parent__isnull=False).select_related("parent"):
        words = [w.strip() for w in (category.keywords or "").replace(",", ",").split(",") if w.strip()]
        text = " ".join([category.name, *words])
        texts += [text] * KEYWORD_COPIES
        labels += [category.code] * KEYWORD_COPIES
    return texts, labels


def department_history() -> dict[str, dict[str, int]]:
    """Per category × 小区 and per category × 居民区: which department handled closed cases to the end without
    asking for a 退单 on them (a department that was made to keep a case it refused is no evidence)."""
    history: dict[str, Counter] = defaultdict(Counter)
    refused = Request.objects.filter(case=OuterRef("pk"), kind=Request.Kind.RETURN,
                                     department=OuterRef("lead_department"))
    rows = (training_cases().filter(lead_department__isnull=False).exclude(Exists(refused))
            .values_list("category__code", "estate_id", "neighbourhood_id", "lead_department_id"))
    for code, estate_id, neighbourhood_id, department_id in rows.iterator(chunk_size=5000):
        if estate_id:
            history[f"e:{code}:{estate_id}"][str(department_id)] += 1
        if neighbourhood_id:
            history[f"n:{code}:{neighbourhood_id}"][str(department_id)] += 1
    return {key: dict(counts) for key, counts in history.items()}


def classifier_train(*, holdout: float = 0.2, seed: int = 2026) -> ClassifierVersion:
    """Train a new version on the closed cases (plus the category keywords), evaluate it on a held-out
    share of the cases, then fit on everything and store it. Suggestions use it from the next request."""
    case_texts, case_labels = training_data()
    keyword_x, keyword_y = keyword_texts()
    if len(set(case_labels) | set(keyword_y)) < 2:
        raise ValidationFailed("至少需要两个小类才能训练分类模型(请先配置类别或导入已结案工单)")
    metrics: dict[str, Any] = {"holdout": holdout}
    counts = Counter(case_labels)
    if len(case_texts) >= 20 and len(counts) >= 2:
        stratify = case_labels if min(counts.values()) >= MIN_SAMPLES else None
        x_train, x_test, y_train, y_test = train_test_split(case_texts, case_labels, test_size=holdout,
                                                            random_state=seed, stratify=stratify)
        evaluation = classifier_evaluate(train_texts=x_train + keyword_x, train_labels=y_train + keyword_y,
                                         test_texts=x_test, test_labels=y_test)
        metrics.update(evaluation.as_dict())
    else:
        metrics["note"] = "已结案工单不足 20 件,仅用类别关键词训练,未评估"
    pipeline = build_pipeline()
    started = time.perf_counter()
    pipeline.fit(case_texts + keyword_x, case_labels + keyword_y)
    train_seconds = time.perf_counter() - started
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    with transaction.atomic():
        version = ClassifierVersion.objects.create(
            trained_at=clock.now(), n_samples=len(case_texts), n_labels=len(set(case_labels + keyword_y)),
            data_description=(f"已结案工单 {len(case_texts)} 件(最终类别为标签,不含已合并的重复件),"
                              f"另加 {len(keyword_y) // KEYWORD_COPIES} 个小类的名称与关键词;文本为诉求内容"),
            metrics=metrics, department_history=department_history(), train_seconds=round(train_seconds, 3),
            model=buffer.getvalue(),
        )
    snapshot.reset_caches()
    return version


# --- the workflow: outcomes and auto-dispatch -----------------------------------------------------------


def dispatch_outcome_record(*, event: CaseEvent, automatic: bool = False) -> DispatchOutcome | None:
    """After a 派单: store what the suggestion said beside what was dispatched (an override when they differ)."""
    if not ClassifierVersion.objects.exists():
        return None
    case = event.case
    suggestion = selectors.suggestion_for_case(None, case, with_duplicates=False)
    guess, department = suggestion.category, suggestion.department
    return DispatchOutcome.objects.create(
        case=case, at=event.at, version=suggestion.version,
        suggested_category=guess.category if guess else None,
        category_confidence=round(guess.probability, 4) if guess else None,
        suggested_department=department.lead if department else None,
        category_id=case.category_id, department_id=case.lead_department_id,
        category_overridden=bool(guess) and guess.category.pk != case.category_id,
        department_overridden=bool(department) and department.lead.pk != case.lead_department_id,
        automatic=automatic,
    )


def case_auto_dispatch(*, case: Case, level: float | None = None) -> Case | None:
    """自动派单 by the system user when the category is certain enough, the place is known, a department
    follows and no open case looks like the same report. Off unless DISPATCH_AUTO_CONFIDENCE is set."""
    from org.services import system_user

    level = settings.DISPATCH_AUTO_CONFIDENCE if level is None else level
    if level is None:
        return None
    case = Case.objects.get(pk=case.pk)
    if case.state != State.REGISTERED:
        return None
    suggestion = selectors.suggestion_for_case(None, case)
    guess = suggestion.category
    if (guess is None or guess.probability < level or not suggestion.place.known or suggestion.department is None
            or suggestion.duplicates):
        return None
    if case.category_id and case.category_id != guess.category.pk:
        return None  # the operator chose another category: a person decides
    try:
        return case_services.case_dispatch(
            actor=system_user(), case=case, lead_department=suggestion.department.lead,
            co_departments=suggestion.department.co, category=guess.category,
            note=f"智能派单(置信度 ≥ {level:.2f}):{suggestion.reasons}")
    except DomainError as exc:
        logger.warning("auto-dispatch of %s refused: %s", case.number, exc.message)
        return None


def case_auto_dispatch_many(*, case_ids: list[int]) -> int:
    """自动派单 of many new cases (a 12345 import batch), each as `case_auto_dispatch` alone; returns how many were
    dispatched. A case that fails is logged and left to a person; the others go on."""
    dispatched = 0
    for start in range(0, len(case_ids), 500):
        for case in Case.objects.filter(pk__in=case_ids[start:start + 500], state=State.REGISTERED).order_by("pk"):
            try:
                dispatched += case_auto_dispatch(case=case) is not None
            except Exception:
                logger.exception("auto-dispatch of %s failed", case.number)
    return dispatched
