"""12345 import throughput and memory: a generated hotline export through `manage.py import_hotline` into PostgreSQL,
against a bare COPY of the same file into a plain table in the same database (on SQLite, `--database-url
sqlite:///FILE`: the import alone, no baseline).

    python bench/import.py [--rows 200000] [--database-url postgres://postgres@127.0.0.1:5432/chengyun_bench_import]

Targets (issue 7): at least 20,000 rows/s and peak memory under 300 MB. The last line is JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["工单编号", "来电时间", "诉求人", "联系电话", "诉求地址", "诉求内容", "诉求分类", "派单时间", "要求办结时间", "工单类型"]
ROADS = [("愚园路", 100, 168), ("新闻路", 1100, 1180), ("胶州路", 300, 360), ("常德路", 600, 660), ("巨鹿路", 820, 880)]
TEXTS = ["楼道内堆放大量纸板杂物,堵塞消防通道,要求清理", "楼上住户深夜噪音扰民,多次沟通无果", "饭店油烟直排,熏到楼上住户",
         "小区电梯频繁故障,老人出行困难", "二房东把房子隔成多间出租,疑似群租", "门口窨井盖缺失,晚上很危险"]
CATEGORIES = ["楼道堆物", "生活噪音", "餐饮油烟", "电梯故障", "群租", "窨井盖缺损", "未知分类"]


def generate(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            road, first, last = rng.choice(ROADS)
            writer.writerow([f"2026{i:09d}", f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d} 09:{i % 60:02d}:00",
                             "王" + "秀英建国志强"[i % 3:i % 3 + 2], f"139{i:08d}", f"{road}{rng.randint(first, last)}弄{i % 30 + 1}号",
                             f"{rng.choice(TEXTS)}({i})", rng.choice(CATEGORIES), "", "", "投诉"])


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def recreate_database(url: str) -> None:
    if is_sqlite(url):
        Path(urlparse(url).path).unlink(missing_ok=True)
        return
    import psycopg

    name = urlparse(url).path.lstrip("/")
    admin = urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def server_cpu_seconds(url: str) -> float | None:
    """CPU seconds of the PostgreSQL backends that have exited so far (the postmaster's reaped children), when the
    server runs on this machine; None otherwise. The import's connections exit with it, so the difference across
    the import is the database's share of the work."""
    if is_sqlite(url):
        return None
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
        fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, ValueError, IndexError):
        return None
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime + cstime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/chengyun_bench_import")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chengyun-import-") as workdir:
        # Production settings (DEBUG off): with DEBUG on Django keeps every SQL string, bulk inserts included.
        env = {**os.environ, "DATABASE_URL": args.database_url, "CHENGYUN_VAR_DIR": workdir, "LOG_LEVEL": "ERROR",
               "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50}
        recreate_database(args.database_url)
        for command in (["migrate", "--noinput"], ["load_demo", "--cases", "0"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
        source = Path(workdir) / "hotline.csv"
        generate(source, args.rows)
        load_1m = os.getloadavg()[0]  # the machine is shared: other jobs' load shows in the wall time
        server_before = server_cpu_seconds(args.database_url)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "manage.py", "import_hotline", str(source), "--batch", str(args.batch)],
                                cwd=ROOT, env=env, capture_output=True, text=True)
        import_seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mb = after.ru_maxrss / 1024  # the largest child: the import
        # The import process's own CPU time (both of its threads; PostgreSQL's work is not in it).
        import_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        if result.returncode != 0:
            raise SystemExit(result.stderr[-2000:])
        time.sleep(1)  # the import's backends exit after it; the postmaster reaps them
        server_after = server_cpu_seconds(args.database_url)
        server_cpu = None if server_before is None or server_after is None else server_after - server_before
        print(result.stdout.strip().splitlines()[-1])

        if is_sqlite(args.database_url):
            import sqlite3

            copy_seconds = None
            with contextlib.closing(sqlite3.connect(urlparse(args.database_url).path)) as conn:
                cases = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
                events = conn.execute("SELECT count(*) FROM cases_caseevent WHERE action = 'register'").fetchone()[0]
        else:
            import psycopg

            with psycopg.connect(args.database_url) as conn:
                conn.execute("CREATE TABLE bench_copy (" + ", ".join(f"c{i} text" for i in range(len(HEADER))) + ")")
                started = time.perf_counter()
                with open(source, encoding="utf-8-sig") as handle, conn.cursor() as cur:
                    with cur.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                        while block := handle.read(1 << 20):
                            copy.write(block)
                conn.commit()
                copy_seconds = time.perf_counter() - started
                cases = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
                events = conn.execute("SELECT count(*) FROM cases_caseevent WHERE action = 'register'").fetchone()[0]
    import_rate = args.rows / import_seconds
    copy_rate = None if copy_seconds is None else args.rows / copy_seconds
    print(f"import_hotline: {args.rows} rows in {import_seconds:.1f}s = {import_rate:.0f} rows/s, peak {peak_mb:.0f} MB "
          f"({cases} cases, {events} register events)")
    if copy_rate is not None:
        print(f"COPY into a plain table: {copy_seconds:.2f}s = {copy_rate:.0f} rows/s")
    print(json.dumps({"bench": "import", "rows": args.rows, "database": "sqlite" if copy_rate is None else "postgresql",
                      "import_rows_per_s": round(import_rate),
                      "copy_rows_per_s": None if copy_rate is None else round(copy_rate),
                      "ratio_copy_over_import": None if copy_rate is None else round(copy_rate / import_rate, 1),
                      "peak_memory_mb": round(peak_mb), "import_client_cpu_s": round(import_cpu, 1),
                      "import_server_cpu_s": None if server_cpu is None else round(server_cpu, 1),
                      "load_1m_at_start": round(load_1m, 1), "target_rows_per_s": 20000, "target_peak_mb": 300}))

if __name__ == "__main__":
    main()
