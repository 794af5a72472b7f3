"""The text classifier itself: one scikit-learn pipeline used by training, suggestions and evaluate_classifier.

Character n-grams (1–3) instead of a word segmenter: Chinese complaint texts are short, full of
addresses, numbers and colloquial words a dictionary does not know, and n-grams need no segmentation
pass, which keeps batch classification fast. Bigrams such as 群租、隔断、油烟 are what a dispatcher
would call the keywords, so the strongest n-grams also serve as the explanation of a suggestion.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
# Longer texts add little signal and cost time; hotline texts put the complaint first.
MAX_CHARS = 2000


def prepare_text(text: str) -> str:
    """NFKC (full-width → half-width), lower case, every number → 0, whitespace collapsed, length capped."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_CHARS].lower()
    return _SPACE.sub(" ", _DIGITS.sub("0", text)).strip()


def _preprocess_many(texts) -> list[str]:
    return [prepare_text(t) for t in texts]


def build_pipeline() -> Pipeline:
    """A fresh, untrained pipeline: TF-IDF over character 1–3-grams, then multinomial logistic regression."""
    return Pipeline([
        ("tfidf", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), preprocessor=prepare_text, min_df=2,
                                  sublinear_tf=True, max_features=200_000, dtype=np.float32)),
        ("clf", LogisticRegression(C=20.0, max_iter=300, class_weight="balanced")),
    ])


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float
    evidence: tuple[str, ...]


def predict_top(pipeline: Pipeline, text: str, *, k: int = 3, evidence: int = 3,
                vocabulary: frozenset[str] = frozenset()) -> list[Prediction]:
    """The k most probable labels with their probability and the words of the text that weigh most for each:
    n-grams that are category keywords (`vocabulary`) or dictionary words carrying a good share of the weight."""
    vectorizer: TfidfVectorizer = pipeline.named_steps["tfidf"]
    model: LogisticRegression = pipeline.named_steps["clf"]
    features = vectorizer.transform([text])
    probabilities = model.predict_proba(features)[0]
    order = np.argsort(-probabilities)[:k]
    names = _feature_names(vectorizer)
    row = features.tocsr()
    indices, values = row.indices, row.data
    result = []
    for class_index in order:
        evidence_terms: list[str] = []
        if len(indices):
            weights = model.coef_[class_index if model.coef_.shape[0] > 1 else 0][indices] * values
            strongest = float(weights.max()) if len(weights) else 0.0
            for position in np.argsort(-weights):
                term = names[indices[position]].strip()
                if weights[position] <= 0 or len(evidence_terms) >= evidence:
                    break
                # Fragments (烟很, 拉电) and terms inside a stronger term say little to a reader: words only.
                known = term in vocabulary or (is_word(term) and weights[position] >= 0.3 * strongest)
                if not known or any(term in e or e in term for e in evidence_terms):
                    continue
                evidence_terms.append(term)
        result.append(Prediction(str(model.classes_[class_index]), float(probabilities[class_index]),
                                 tuple(evidence_terms)))
    return result


_words: set[str] | None = None
# 十几, 一个, 两三: counting words weigh in a text but explain nothing.
_NUMERAL_WORD = re.compile(r"[零一二两三四五六七八九十百千万几个多些]+")


def is_word(term: str) -> bool:
    """A Chinese word of two or more characters in jieba's dictionary (or an ASCII word)."""
    global _words
    if len(term) < 2 or not re.fullmatch(r"[\u4e00-\u9fffA-Za-z]+", term) or _NUMERAL_WORD.fullmatch(term):
        return False
    if term.isascii():
        return True
    if _words is None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.dt.check_initialized()
        _words = {w for w, n in jieba.dt.FREQ.items() if n > 0 and len(w) >= 2}
    return term in _words


def _feature_names(vectorizer: TfidfVectorizer) -> np.ndarray:
    names = getattr(vectorizer, "_chengyun_names", None)
    if names is None:
        names = vectorizer.get_feature_names_out()
        vectorizer._chengyun_names = names
    return names
