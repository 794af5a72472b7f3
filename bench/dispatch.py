"""Smart dispatch benchmark: suggestion latency on a database of 100,000 cases, batch classification
throughput on one core, and training time on 10,000 texts.

    python bench/dispatch.py [--cases 100000] [--database-url postgres://postgres@127.0.0.1:5432/chengyun_bench_dispatch]

Without --database-url it uses a fresh SQLite file in a temporary directory. The last line is JSON.
Targets (issue 6): p99 < 20 ms per case (category + place + department + duplicates), ≥ 5,000 texts/s in
batch, training < 60 s on 10,000 texts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

# One core: BLAS and OpenMP threads off before numpy is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(url: str | None, workdir: str) -> None:
    os.environ.update({"CHENGYUN_VAR_DIR": workdir, "LOG_LEVEL": "ERROR", "DJANGO_SETTINGS_MODULE": "chengyun.settings"})
    if url:
        parsed = urlparse(url)
        import psycopg

        with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}"')
            conn.execute(f'CREATE DATABASE "{parsed.path.lstrip("/")}"')
        os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from demo import services as demo

    demo.demo_load(cases=0)  # the demo street's organisation and accounts, no cases


def make_cases(n: int, rng: random.Random) -> None:
    """n cases straight into the table: texts as the demo writes them, 95 % closed, the rest open."""
    from django.utils import timezone

    from cases.models import Case, Source, State
    from demo import data
    from org.models import AddressRange, Category, Department, User

    categories = list(Category.objects.filter(parent__isnull=False))
    ranges = list(AddressRange.objects.select_related("estate"))
    departments = list(Department.objects.all())
    creator = User.objects.get(username="intake")
    now = timezone.now()
    batch = []
    for i in range(n):
        category = rng.choice(categories)
        row = rng.choice(ranges)
        number = rng.randint(row.first, row.last)
        address = f"{row.road}{number}弄{rng.randint(1, 30)}号" if row.kind == "弄" else f"{row.road}{number}号"
        text = rng.choice(data.COMPLAINTS[category.name]).format(addr=address)
        content = f"{rng.choice(data.OPENERS)}{text},{rng.choice(data.CLOSERS)}"
        open_case = rng.random() < 0.05
        registered = now - timedelta(days=rng.randint(0, 25) if open_case else rng.randint(30, 730),
                                     minutes=rng.randint(0, 1440))
        batch.append(Case(
            number=f"B-{i:07d}", source=Source.HOTLINE, title=f"{row.road}{category.name}问题", content=content,
            category=category, address=address, neighbourhood_id=row.estate.neighbourhood_id, estate=row.estate,
            grid_id=row.estate.grid_id, state=State.DISPATCHED if open_case else State.CLOSED,
            registered_at=registered, closed_at=None if open_case else registered + timedelta(days=5),
            lead_department=rng.choice(departments), created_by=creator,
        ))
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--samples", type=int, default=1000, help="single-case suggestions to time")
    args = parser.parse_args()
    rng = random.Random(6)
    with tempfile.TemporaryDirectory() as workdir:
        setup(args.database_url, workdir)
        started = time.perf_counter()
        make_cases(args.cases, rng)
        print(f"{args.cases} cases written in {time.perf_counter() - started:.1f} s", file=sys.stderr)

        from cases.models import Case, State
        from dispatch import selectors, services
        from dispatch.pipeline import build_pipeline
        from org.models import User

        texts, labels = services.training_data()
        # Training time on 10,000 texts: the production pipeline, fitted once.
        pipeline = build_pipeline()
        started = time.perf_counter()
        pipeline.fit(texts[:10_000], labels[:10_000])
        train_10k = time.perf_counter() - started
        # The production training: holdout evaluation + final fit on every closed case + department history.
        started = time.perf_counter()
        version = services.classifier_train()
        train_all = time.perf_counter() - started
        print(f"classifier_train on {version.n_samples} cases: {train_all:.1f} s, metrics {version.metrics}",
              file=sys.stderr)

        # Batch throughput on one core.
        batch = texts[:20_000]
        loaded = selectors.active_classifier()[1]
        loaded.predict(batch[:200])
        started = time.perf_counter()
        loaded.predict(batch)
        texts_per_second = len(batch) / (time.perf_counter() - started)

        # Single-case latency: category + place + department + duplicates, for open cases as the desk does.
        dispatcher = User.objects.get(username="dispatcher")
        open_ids = list(Case.objects.filter(state=State.DISPATCHED).values_list("id", flat=True))
        sample = [Case.objects.get(pk=pk) for pk in rng.sample(open_ids, min(args.samples, len(open_ids)))]
        for case in sample[:50]:  # warm-up: jieba dictionary, snapshot, pipeline
            selectors.suggestion_for_case(dispatcher, case)
        timings, duplicates = [], 0
        for case in sample:
            started = time.perf_counter()
            suggestion = selectors.suggestion_for_case(dispatcher, case)
            timings.append((time.perf_counter() - started) * 1000)
            duplicates += bool(suggestion.duplicates)
        result = {
            "cases": Case.objects.count(), "database": "postgresql" if args.database_url else "sqlite",
            "suggest_p50_ms": round(statistics.median(timings), 2), "suggest_p99_ms": round(percentile(timings, 99), 2),
            "suggest_samples": len(timings), "with_duplicates": duplicates,
            "batch_texts_per_second": round(texts_per_second), "train_seconds_10k": round(train_10k, 2),
            "train_seconds_full": round(train_all, 2), "train_samples_full": version.n_samples,
            "holdout_macro_f1": version.metrics.get("macro_f1"),
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
