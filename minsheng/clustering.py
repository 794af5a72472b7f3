"""Themes found in needs, cases and data-lake records: Chinese text similarity plus category and place, clustered.

Pure computation, no database: `cluster(records)` takes `Record`s and returns `Clustering` (a label per record,
keywords, examples and similarity to its theme). The services (minsheng/services/themes.py) feed it the records of a
period and map its clusters onto the themes people already named; the benchmark (bench/minqing.py) runs this same
function on 860,000 generated records.

How:
1. Text → words with jieba (dictionary only, HMM off: the HMM guesses new words, slower and of no use for grouping).
   Texts are cut into clauses at punctuation and digits are folded, and each distinct clause is segmented once:
   hotline, 房管 and visit texts repeat the same clauses ("楼道内堆物", "希望尽快处理") with different house numbers,
   so the cache turns 860,000 texts into a few tens of thousands of jieba calls. Many distinct clauses are
   segmented by two worker processes (fork, Linux).
2. Words → TF-IDF (sublinear, idf learned on the records themselves), plus the record's category and 居民区 as extra
   one-hot features with fixed weights: the category pulls together what the text says the same way, the place only
   slightly (a theme such as 加装电梯 is spread over the whole street and must not be cut by 居民区).
3. TruncatedSVD to a few dozen dimensions (rows L2-normalised), MiniBatchKMeans with more clusters than expected
   (fitted on a sample, then every record assigned), and the cluster centres merged by average-linkage on cosine
   distance below a threshold: over-splitting and merging back is steadier than guessing k.
4. Each theme is named by its strongest words (mean TF-IDF in the theme against the whole) and shown with the records
   nearest its centre.
Deterministic for a given input and `seed`.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import scipy.sparse as sp

CLAUSE_SPLIT = re.compile(r"[\s,，。.;；:：!！?？、()（）\[\]【】“”\"'‘’/\\~～…—-]+")
DIGITS = re.compile(r"[0-9０-９一二三四五六七八九十百零〇]+(?=[号弄室楼栋层幢户])|[0-9０-９]+")
# Words that carry no theme: request boilerplate of hotline and visit texts, and address parts.
STOPWORDS = frozenset("""
居民 反映 反应 希望 尽快 处理 解决 谢谢 要求 相关 部门 情况 问题 目前 现在 一直 已经 多次 表示 认为 进行 能够 可以 没有
这个 那个 我们 他们 自己 什么 怎么 如何 非常 比较 严重 影响 存在 发现 来电 市民 诉求 称 本人 家里 家中 附近 周边 小区
门口 地址 位于 这里 那里 之前 之后 以来 时候 今天 昨天 最近 有人 大家 为了 因为 所以 但是 而且 还是 或者 以及 对于 关于
帮忙 协调 落实 上门 社区 居委 居委会 街道 相关单位 工作人员 反复 长期 经常 不断 每天 晚上 白天 早上 楼里 号楼 弄内 路口
一下 一些 一个 有关 回复 答复 请求 恳请 麻烦 联系 电话 了解 告知 其他 其它 等等 以上 情况反映
""".split())
PLACE_SUFFIX = ("路", "弄", "号", "室", "街", "村", "苑", "里", "坊")


@dataclass(frozen=True)
class Record:
    """One need, case or lake record as the clustering sees it."""

    kind: str  # MemberKind: need / case / lake
    id: int
    text: str
    category: str = ""
    neighbourhood_id: int | None = None
    household_id: int | None = None
    occurred_on: date | None = None


@dataclass
class Params:
    seed: int = 18
    # Clusters before merging: about one per `records_per_cluster`, within [min_clusters, max_clusters].
    records_per_cluster: int = 40
    min_clusters: int = 4
    max_clusters: int = 160
    dims: int = 64
    category_weight: float = 0.4
    place_weight: float = 0.15
    merge_distance: float = 0.6  # cosine distance between centres below which two clusters are one theme
    fit_sample: int = 120_000  # records the k-means is fitted on; all are then assigned
    min_theme_size: int = 3  # smaller clusters join their nearest theme
    workers: int = 2  # processes segmenting distinct clauses (1: in this process)
    parallel_above: int = 30_000  # distinct clauses from which the workers are used
    keywords: int = 5
    examples: int = 5

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Theme:
    label: int
    size: int
    keywords: list[str]
    category: str
    examples: list[int]  # positions in the input, nearest the centre first


@dataclass
class Clustering:
    labels: np.ndarray  # theme label per input record (0…n_themes-1)
    similarity: np.ndarray  # cosine similarity of each record to its theme's centre
    themes: list[Theme] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    distinct_clauses: int = 0

    @property
    def n_themes(self) -> int:
        return len(self.themes)


# --- words ----------------------------------------------------------------------------------------------------


def clauses(text: str) -> list[str]:
    text = DIGITS.sub("#", text or "")
    return [c for c in CLAUSE_SPLIT.split(text) if c]


def _keep(word: str) -> bool:
    if len(word) < 2 or word in STOPWORDS or "#" in word:
        return False
    if word.isascii() and not word.isalpha():
        return False
    return not (len(word) <= 3 and word.endswith(PLACE_SUFFIX) and word[0] == "#")


def _segment_many(items: Sequence[str]) -> list[tuple[str, ...]]:
    import jieba

    jieba.setLogLevel(60)
    return [tuple(w for w in jieba.lcut(c, HMM=False) if _keep(w)) for c in items]


def _segment_chunk(chunk: list[str]) -> list[tuple[str, ...]]:  # in a worker process
    return _segment_many(chunk)


def segment_clauses(distinct: list[str], *, workers: int = 1, parallel_above: int = 30_000) -> list[tuple[str, ...]]:
    """Each clause's kept words; jieba's dictionary is loaded before forking so the workers share it."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    if workers <= 1 or len(distinct) < parallel_above or not hasattr(os, "fork"):
        return _segment_many(distinct)
    import multiprocessing

    size = max(1000, len(distinct) // (workers * 8))
    chunks = [distinct[i:i + size] for i in range(0, len(distinct), size)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        parts = pool.map(_segment_chunk, chunks)
    return [words for part in parts for words in part]


def term_matrix(texts: Iterable[str], params: Params) -> tuple[sp.csr_matrix, list[str], int]:
    """Counts of kept words per text (CSR), the vocabulary, and how many distinct clauses were segmented."""
    clause_ids: dict[str, int] = {}
    per_text: list[list[int]] = []
    for text in texts:
        ids = []
        for c in clauses(text):
            index = clause_ids.get(c)
            if index is None:
                index = clause_ids[c] = len(clause_ids)
            ids.append(index)
        per_text.append(ids)
    distinct = list(clause_ids)
    words = segment_clauses(distinct, workers=params.workers, parallel_above=params.parallel_above)
    vocabulary: dict[str, int] = {}
    clause_terms = [[vocabulary.setdefault(w, len(vocabulary)) for w in ws] for ws in words]
    indptr = [0]
    indices: list[int] = []
    for ids in per_text:
        for index in ids:
            indices.extend(clause_terms[index])
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    matrix = sp.csr_matrix((data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
                           shape=(len(per_text), max(1, len(vocabulary))))
    matrix.sum_duplicates()
    names = [""] * len(vocabulary)
    for w, i in vocabulary.items():
        names[i] = w
    return matrix, names, len(distinct)


def _one_hot(values: Sequence, weight: float) -> sp.csr_matrix:
    codes: dict = {}
    columns = np.asarray([codes.setdefault(v, len(codes)) for v in values], dtype=np.int32)
    rows = np.arange(len(values), dtype=np.int32)
    data = np.full(len(values), weight, dtype=np.float32)
    mask = np.asarray([v not in (None, "") for v in values], dtype=bool)
    return sp.csr_matrix((data[mask], (rows[mask], columns[mask])), shape=(len(values), max(1, len(codes))))


# --- clustering -----------------------------------------------------------------------------------------------


def cluster(records: Sequence[Record], params: Params | None = None) -> Clustering:
    import time

    from sklearn.cluster import AgglomerativeClustering, MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.preprocessing import normalize

    params = params or Params()
    n = len(records)
    timings: dict[str, float] = {}
    if n == 0:
        return Clustering(labels=np.zeros(0, dtype=np.int32), similarity=np.zeros(0, dtype=np.float32))
    started = time.perf_counter()
    counts, vocabulary, distinct = term_matrix((r.text for r in records), params)
    timings["segment"] = time.perf_counter() - started

    started = time.perf_counter()
    tfidf = TfidfTransformer(sublinear_tf=True)
    text_features = tfidf.fit_transform(counts).astype(np.float32)
    features = sp.hstack([text_features, _one_hot([r.category for r in records], params.category_weight),
                          _one_hot([r.neighbourhood_id for r in records], params.place_weight)], format="csr")
    dims = max(2, min(params.dims, features.shape[1] - 1, n - 1))
    if n < 3 or features.shape[1] < 3:
        reduced = normalize(features.toarray().astype(np.float32))
    else:
        svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=4, random_state=params.seed)
        reduced = normalize(svd.fit_transform(features).astype(np.float32))
    timings["vectorise"] = time.perf_counter() - started

    started = time.perf_counter()
    k = int(min(params.max_clusters, max(params.min_clusters, round(n / params.records_per_cluster)), n))
    rng = np.random.default_rng(params.seed)
    sample = reduced if n <= params.fit_sample else reduced[rng.choice(n, params.fit_sample, replace=False)]
    if k >= 2:
        kmeans = MiniBatchKMeans(n_clusters=k, random_state=params.seed, batch_size=4096, n_init=3,
                                 max_iter=100, reassignment_ratio=0.001)
        kmeans.fit(sample)
        centres = normalize(kmeans.cluster_centers_.astype(np.float32))
        first = _nearest(reduced, centres)
    else:
        centres = normalize(reduced.mean(axis=0, keepdims=True))
        first = np.zeros(n, dtype=np.int32)
    timings["kmeans"] = time.perf_counter() - started

    started = time.perf_counter()
    used = np.unique(first)
    centres = centres[used]
    first = np.searchsorted(used, first)
    if len(centres) >= 2:
        merged = AgglomerativeClustering(n_clusters=None, distance_threshold=params.merge_distance, metric="cosine",
                                         linkage="average").fit_predict(centres)
    else:
        merged = np.zeros(len(centres), dtype=np.int64)
    labels = merged[first].astype(np.int32)
    labels, centres = _recentre(reduced, labels)
    labels, centres = _absorb_small(reduced, labels, centres, params.min_theme_size)
    similarity = np.einsum("ij,ij->i", reduced, centres[labels]).astype(np.float32)
    timings["merge"] = time.perf_counter() - started

    started = time.perf_counter()
    themes = describe(records, labels, similarity, text_features, vocabulary, params)
    timings["describe"] = time.perf_counter() - started
    return Clustering(labels=labels, similarity=similarity, themes=themes, timings=timings, distinct_clauses=distinct)


def _nearest(points: np.ndarray, centres: np.ndarray, *, block: int = 65536) -> np.ndarray:
    out = np.empty(len(points), dtype=np.int32)
    for start in range(0, len(points), block):
        out[start:start + block] = np.argmax(points[start:start + block] @ centres.T, axis=1)
    return out


def _recentre(points: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels renumbered 0…m-1 by size (largest first) and each theme's normalised mean as its centre."""
    used, inverse, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    order = np.argsort(-sizes, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    labels = rank[inverse].astype(np.int32)
    centres = np.zeros((len(used), points.shape[1]), dtype=np.float32)
    np.add.at(centres, labels, points)
    norms = np.linalg.norm(centres, axis=1, keepdims=True)
    return labels, centres / np.maximum(norms, 1e-9)


def _absorb_small(points, labels, centres, min_size: int):
    sizes = np.bincount(labels, minlength=len(centres))
    small = sizes < min_size
    if not small.any() or small.all():
        return labels, centres
    keep = np.flatnonzero(~small)
    moving = small[labels]
    labels = labels.copy()
    labels[moving] = keep[np.argmax(points[moving] @ centres[keep].T, axis=1)]
    return _recentre(points, labels)


def describe(records: Sequence[Record], labels: np.ndarray, similarity: np.ndarray, text_features: sp.csr_matrix,
             vocabulary: list[str], params: Params) -> list[Theme]:
    """Keywords: the words whose mean TF-IDF in the theme most exceeds their mean over all records."""
    m = int(labels.max()) + 1 if len(labels) else 0
    n = len(records)
    membership = sp.csr_matrix((np.ones(n, dtype=np.float32), (labels, np.arange(n))), shape=(m, n))
    sizes = np.asarray(membership.sum(axis=1)).ravel()
    means = (membership @ text_features).toarray() / np.maximum(sizes, 1)[:, None]
    overall = np.asarray(text_features.mean(axis=0)).ravel()
    lift = means - overall[None, :]
    themes = []
    order = np.lexsort((-similarity, labels))  # by label, then nearest first
    starts = np.searchsorted(labels[order], np.arange(m))
    for label in range(m):
        top = [vocabulary[i] for i in np.argsort(-lift[label])[: params.keywords * 2] if lift[label, i] > 0]
        keywords: list[str] = []
        for word in top:
            if not any(word in k or k in word for k in keywords):
                keywords.append(word)
            if len(keywords) >= params.keywords:
                break
        positions = order[starts[label]: starts[label] + int(sizes[label])]
        categories: dict[str, int] = {}
        for p in positions[:2000]:
            if records[p].category:
                categories[records[p].category] = categories.get(records[p].category, 0) + 1
        category = max(categories, key=lambda c: (categories[c], c)) if categories else ""
        themes.append(Theme(label=label, size=int(sizes[label]), keywords=keywords, category=category,
                            examples=[int(p) for p in positions[: params.examples]]))
    return themes


def theme_name(keywords: Sequence[str], category: str = "") -> str:
    """A machine name people can read: the category and the two strongest words (主题 names stay ≤ 60 chars)."""
    words = [w for w in keywords if w != category][:2]
    name = "·".join([category, *words] if category else words) or "未命名主题"
    return name[:60]


def suggested_clusters(n: int, params: Params | None = None) -> int:
    params = params or Params()
    return int(min(params.max_clusters, max(params.min_clusters, math.ceil(n / params.records_per_cluster))))
