"""民情 themes benchmark: 860,000 records (needs, cases, data-lake rows) with 40 planted pain points, clustered and
ranked by the product's own code (minsheng/clustering.py, the function a ThemeRun calls).

    python bench/minqing.py [--records 860000] [--workers 2] [--baseline-sample 50000]

Records are generated in memory (minsheng/tests/planted.py): the database plays no part in grouping, and the run's
writing of members is measured by the services' tests, not here. Printed: time per step, peak memory (ru_maxrss of
this process and of the segmenting workers), the adjusted Rand index against the planted themes, and two baselines
measured in the same run: jieba on every whole text in one process (timed on a sample, scaled to all records) —
what the clause cache and the two workers save — and the ARI of grouping by category alone — what the text adds.
The last line is JSON. Targets (issue 18): < 120 s, < 4 GB, ARI ≥ 0.8 on this 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return max(own, children)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=860_000)
    parser.add_argument("--themes", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline-sample", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()

    import jieba
    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    from minsheng import clustering
    from minsheng.tests.planted import generate

    jieba.setLogLevel(60)
    load_1m = os.getloadavg()[0]
    started = time.perf_counter()
    records, planted = generate(args.records, seed=args.seed, themes=args.themes)
    generate_seconds = time.perf_counter() - started
    print(f"generated {len(records)} records in {generate_seconds:.1f} s", file=sys.stderr, flush=True)

    params = clustering.Params(seed=args.seed, workers=args.workers)
    started = time.perf_counter()
    result = clustering.cluster(records, params)
    # Ranking as the product ranks: distinct households, recency-weighted (minsheng/services/themes.py's score).
    ranked = rank(records, result)
    seconds = time.perf_counter() - started
    ari = adjusted_rand_score(planted, result.labels)
    print(f"clustered in {seconds:.1f} s {dict((k, round(v, 1)) for k, v in result.timings.items())}; "
          f"{result.distinct_clauses} distinct clauses; {result.n_themes} themes; ARI {ari:.3f}",
          file=sys.stderr, flush=True)
    for theme in ranked[:10]:
        print(f"  {theme['households']:>7} 户 {theme['records']:>7} 条  {theme['name']}", file=sys.stderr)

    # Baseline 1: jieba on each whole text, one process, no cache (timed on a sample, scaled).
    sample = [r.text for r in records[: args.baseline_sample]]
    jieba.initialize()
    started = time.perf_counter()
    for text in sample:
        jieba.lcut(text, HMM=False)
    naive_segment = (time.perf_counter() - started) * len(records) / max(1, len(sample))
    # Baseline 2: group by the record's category label alone.
    codes: dict[str, int] = {}
    by_category = np.asarray([codes.setdefault(r.category, len(codes)) for r in records])
    category_ari = adjusted_rand_score(planted, by_category)
    peak = peak_mb()
    print(json.dumps({
        "bench": "minqing", "records": len(records), "planted_themes": args.themes, "themes": result.n_themes,
        "seconds": round(seconds, 1), "peak_mb": round(peak), "ari": round(float(ari), 4),
        "steps": {k: round(v, 2) for k, v in result.timings.items()}, "distinct_clauses": result.distinct_clauses,
        "workers": args.workers, "generate_seconds": round(generate_seconds, 1),
        "baseline": {"segment_whole_texts_one_process_seconds": round(naive_segment, 1),
                     "segment_seconds": round(result.timings.get("segment", 0), 1),
                     "ari_category_only": round(float(category_ari), 4)},
        "load_1m_at_start": round(load_1m, 1),
        "targets": {"seconds": 120, "peak_mb": 4096, "ari": 0.8},
    }, ensure_ascii=False))


def rank(records, result) -> list[dict]:
    import numpy as np

    from minsheng.scoring import theme_score

    out = []
    labels = result.labels
    order = labels.argsort(kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(result.n_themes + 1))
    reference = max((r.occurred_on for r in records if r.occurred_on), default=None)
    for theme in result.themes:
        members = [records[p] for p in order[bounds[theme.label]: bounds[theme.label + 1]]]
        households = len({r.household_id for r in members if r.household_id})
        out.append({"name": clustering_name(theme), "records": len(members), "households": households,
                    "score": theme_score(households=households, dates=[r.occurred_on for r in members],
                                         today=reference)})
    return sorted(out, key=lambda t: -t["score"])


def clustering_name(theme) -> str:
    from minsheng.clustering import theme_name

    return theme_name(theme.keywords, theme.category)


if __name__ == "__main__":
    main()
