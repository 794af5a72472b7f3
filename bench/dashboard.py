"""社区大脑 at scale: every dashboard panel's query on 1,000,000 cases (~8 events each) in PostgreSQL, against the
same aggregations in DuckDB over the same data exported to Parquet.

    python bench/dashboard.py [--cases 1000000] [--runs 15] [--database-url postgres://…/chengyun_bench_dashboard]
                              [--reuse]   # keep an already generated database

PostgreSQL panels run through the product's own selectors (kpi.selectors, cases.metrics) as the leader sees them,
so ORM overhead is included. DuckDB runs hand-written SQL computing the same figures (checked equal on the month's
street row). Targets (issue 5): every panel p95 under 300 ms on PostgreSQL and within 5× of DuckDB. JSON line last.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 16, 0, tzinfo=SH)
MONTH = date(2026, 10, 1), date(2026, 10, 31)
TEXTS = ["楼道内堆放大量纸板杂物,堵塞消防通道", "楼上住户深夜噪音扰民,多次沟通无果", "饭店油烟直排,熏到楼上住户",
         "小区电梯频繁故障,老人出行困难", "二房东把房子隔成多间出租,疑似群租", "门口窨井盖缺失,晚上很危险",
         "共享单车乱停放堵塞人行道", "路灯不亮,夜间出行不便", "垃圾厢房满溢无人清运", "违规搭建阳光房"]
SOURCES = ["hotline"] * 6 + ["patrol"] * 2 + ["visit", "council", "inspection", "self_report", "sensor", "walk_in"]


def recreate_database(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    admin = urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _ts(value: datetime | None) -> str:
    return "\\N" if value is None else value.isoformat()


def generate(url: str, count: int, workdir: Path) -> dict:
    """Cases and events straight into PostgreSQL with COPY, shaped like the demo street over two years.

    Events are spooled to a file while the cases stream in (one connection can run one COPY at a time) and copied
    after them."""
    import psycopg

    rng = random.Random(2026)
    with psycopg.connect(url) as conn:
        rows = lambda sql: conn.execute(sql).fetchall()  # noqa: E731
        categories = [c for c, parent in rows("SELECT id, parent_id FROM org_category") if parent]
        departments = [d for (d,) in rows("SELECT id FROM org_department")]
        places = rows("SELECT e.id, e.neighbourhood_id, e.grid_id, r.road, r.kind, r.first, r.last FROM org_estate e "
                      "JOIN org_addressrange r ON r.estate_id = e.id")
        users = [u for (u,) in rows("SELECT id FROM org_user WHERE role IN ('intake', 'dispatcher', 'handler', 'callback')")]
        first_id = (conn.execute("SELECT coalesce(max(id), 0) FROM cases_case").fetchone()[0]) + 1
        case_columns = ("id, number, source, hotline_number, title, content, category_id, address, neighbourhood_id, "
                        "estate_id, grid_id, citizen_name, citizen_phone, urgency, state, version, lead_department_id, "
                        "registered_at, dispatched_at, signed_at, first_contact_at, handled_at, called_back_at, closed_at, "
                        "sign_deadline, first_contact_deadline, handle_deadline, is_overdue, sign_escalated, urge_count, "
                        "chase_count, reopen_count, return_count, extension_count, satisfaction, solved, handling_result, "
                        "created_by_id, handling_hours")
        event_columns = "case_id, action, actor_id, at, from_state, to_state, note, payload"
        started = time.perf_counter()
        events = 0
        spool_path = workdir / "events.tsv"
        with conn.cursor() as cur, open(spool_path, "w", encoding="utf-8") as spool:
            with cur.copy(f"COPY cases_case ({case_columns}) FROM STDIN") as case_copy:
                event_lines: list[str] = []
                # Cases arrive in time order, as in production: a month's cases sit together on disk.
                moments = sorted(NOW - timedelta(days=730 * rng.random() ** 1.15, minutes=rng.randint(0, 600))
                                 for _ in range(count))
                for offset, registered in enumerate(moments):
                    case_id = first_id + offset
                    age_days = (NOW - registered).days
                    estate, nb, grid, road, kind, low, high = rng.choice(places)
                    address = f"{road}{rng.randint(low, high)}{kind}{rng.randint(1, 30)}号" if kind == "弄" else \
                        f"{road}{rng.randint(low, high)}号"
                    text = rng.choice(TEXTS)
                    actor = rng.choice(users)
                    # how far the case got: old cases are closed, recent ones spread over the lifecycle
                    stage = 7 if age_days > 20 else rng.randint(0, 7)
                    merged = rng.random() < 0.03
                    stage = 0 if merged else stage
                    dispatched = registered + timedelta(minutes=rng.randint(10, 120)) if stage >= 1 else None
                    signed = dispatched + timedelta(minutes=rng.choice([30, 60, 90, 300])) if stage >= 2 else None
                    contact = signed + timedelta(hours=rng.choice([1, 2, 4, 12])) if stage >= 3 else None
                    handled = contact + timedelta(hours=rng.randint(4, 24 * 9)) if stage >= 5 else None
                    called = handled + timedelta(hours=rng.randint(2, 48)) if stage >= 6 else None
                    closed = called + timedelta(hours=rng.randint(1, 24)) if stage >= 7 else None
                    satisfaction = rng.choices(["satisfied", "basically", "unsatisfied"], [85, 10, 5])[0] if called else ""
                    state = "merged" if merged else ["registered", "dispatched", "signed", "handling", "handling",
                                                     "handled", "called_back", "closed"][stage]
                    deadline = dispatched + timedelta(days=7) if dispatched else None
                    urge, chase = int(rng.random() < 0.03), rng.choice([0] * 18 + [1, 2])
                    reopen = int(satisfaction == "unsatisfied" and rng.random() < 0.5)
                    hours = round((handled - dispatched).total_seconds() / 3600 * 9 / 24, 2) if handled else None
                    case_copy.write_row((
                        case_id, f"JAS{registered:%Y%m%d}{case_id:07d}", rng.choice(SOURCES), "", text[:12], text,
                        rng.choice(categories), address, nb, estate, grid, "王建国", f"139{case_id:08d}",
                        "urgent" if rng.random() < 0.05 else "normal", state, stage, rng.choice(departments) if dispatched else None,
                        registered, dispatched, signed, contact, handled, called, closed,
                        dispatched + timedelta(hours=2) if dispatched else None,
                        dispatched + timedelta(hours=9) if dispatched else None, deadline,
                        bool(deadline and state not in ("closed", "merged", "handled", "called_back") and NOW > deadline),
                        False, urge, chase, reopen, int(rng.random() < 0.04), int(rng.random() < 0.05), satisfaction,
                        (satisfaction != "unsatisfied") if called else None, "已处置完毕" if handled else "", actor, hours))
                    moments = [("register", registered, "", "registered"), ("dispatch", dispatched, "registered", "dispatched"),
                               ("sign", signed, "dispatched", "signed"), ("first_contact", contact, "signed", "handling"),
                               ("progress", contact and contact + timedelta(hours=2), "handling", "handling"),
                               ("finish", handled, "handling", "handled"), ("callback", called, "handled", "called_back"),
                               ("close", closed, "called_back", "closed")]
                    for action, at, before, after in moments:
                        if at is None:
                            continue
                        payload = f'{{"satisfaction": "{satisfaction}"}}' if action == "callback" else "{}"
                        event_lines.append(f"{case_id}\t{action}\t{actor}\t{at.isoformat()}\t{before}\t{after}\t\t{payload}\n")
                    if urge:
                        event_lines.append(f"{case_id}\turge\t{actor}\t{(dispatched or registered).isoformat()}\t{state}\t{state}"
                                           "\t请加快办理\t{}\n")
                    if len(event_lines) > 100_000:
                        events += len(event_lines)
                        spool.write("".join(event_lines))
                        event_lines.clear()
                events += len(event_lines)
                spool.write("".join(event_lines))
        with conn.cursor() as cur, open(spool_path, encoding="utf-8") as spool:
            with cur.copy(f"COPY cases_caseevent ({event_columns}) FROM STDIN") as copy:
                while block := spool.read(1 << 22):
                    copy.write(block)
        spool_path.unlink()
        conn.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), (SELECT max(id) FROM cases_case))")
        conn.commit()
        copy_seconds = time.perf_counter() - started
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE cases_case")
        conn.execute("VACUUM ANALYZE cases_caseevent")
    return {"cases": count, "events": events, "copy_seconds": round(copy_seconds, 1)}


# --- the panels ---------------------------------------------------------------------------------------


def postgres_panels() -> dict:
    """The dashboard's queries through the product's selectors, as the leader (street-wide) runs them."""
    from cases import metrics as case_metrics
    from kpi import selectors
    from org.models import Role, User

    leader = User.objects.filter(role=Role.LEADER).first()
    start, end = MONTH

    def overview():
        data = case_metrics.street_overview(leader)
        return [data["today"], data["overdue_count"], data["unsatisfied_count"], data["urged_count"],
                list(data["overdue"]), list(data["unsatisfied"]), list(data["urged"])]

    return {
        "kpi_month": lambda: selectors.kpi_table(leader, start=start, end=end),
        "department_ranking": lambda: selectors.kpi_ranking(leader, start=start, end=end, kpi="satisfied", street_wide=True),
        "trend_12_months": lambda: selectors.monthly_trend(leader, today=NOW.date()),
        "by_category": lambda: selectors.kpi_table(leader, start=start, end=end, group_by="category_parent"),
        "by_source": lambda: selectors.kpi_table(leader, start=start, end=end, group_by="source"),
        "hotspots": lambda: selectors.hotspots(leader, start=start, end=end),
        "overview": overview,
    }


KPI_SQL = {  # kpi/definitions.py, one FILTER per numerator and denominator
    "sign_on_time": ("dispatched_at IS NOT NULL AND signed_at <= sign_deadline", "dispatched_at IS NOT NULL"),
    "first_contact": ("dispatched_at IS NOT NULL AND first_contact_at <= first_contact_deadline", "dispatched_at IS NOT NULL"),
    "handled_on_time": ("handled_at IS NOT NULL AND handled_at <= handle_deadline", "handled_at IS NOT NULL"),
    "overdue": ("is_overdue OR (handled_at IS NOT NULL AND handled_at > handle_deadline)", None),
    "solved": ("satisfaction <> '' AND solved", "satisfaction <> ''"),
    "satisfied": ("satisfaction IN ('satisfied', 'basically')", "satisfaction <> ''"),
    "unsatisfied": ("satisfaction = 'unsatisfied' OR reopen_count > 0", None),
    "returned": ("dispatched_at IS NOT NULL AND return_count > 0", "dispatched_at IS NOT NULL"),
    "reopened": ("satisfaction <> '' AND reopen_count > 0", "satisfaction <> ''"),
    "extended": ("dispatched_at IS NOT NULL AND extension_count > 0", "dispatched_at IS NOT NULL"),
    "duplicates": ("state = 'merged'", "true"),
}
KPI_COLUMNS = ", ".join(
    [f"count(*) FILTER (WHERE {n}) AS {code}_n" + (f", count(*) FILTER (WHERE {d}) AS {code}_d" if d else "")
     for code, (n, d) in KPI_SQL.items()]
    + ["sum(chase_count) AS chases_n", "avg(handling_hours) AS handling_hours_n", "count(handling_hours) AS handling_hours_d"])


def duckdb_panels(con) -> dict:
    low = datetime.combine(MONTH[0], datetime.min.time(), SH).isoformat()
    high = datetime.combine(MONTH[1], datetime.max.time(), SH).isoformat()
    in_month = f"registered_at BETWEEN TIMESTAMPTZ '{low}' AND TIMESTAMPTZ '{high}'"
    today = datetime.combine(NOW.date(), datetime.min.time(), SH).isoformat()
    month_start = datetime.combine(NOW.date().replace(day=1), datetime.min.time(), SH).isoformat()
    trend_from = datetime.combine((NOW.date().replace(day=1) - timedelta(days=31 * 11)).replace(day=1),
                                  datetime.min.time(), SH).isoformat()
    open_states = "('registered','dispatched','return_requested','signed','handling','suspended','handled','called_back')"
    queries = {
        "kpi_month": f"SELECT count(*), {KPI_COLUMNS} FROM cases WHERE {in_month}",
        "department_ranking": f"SELECT d.id, d.name, count(*), {KPI_COLUMNS} FROM cases c JOIN departments d "
                              f"ON d.id = c.lead_department_id WHERE {in_month} GROUP BY d.id, d.name ORDER BY d.id",
        "trend_12_months": f"SELECT date_trunc('month', registered_at) AS m, count(*), {KPI_COLUMNS} FROM cases "
                           f"WHERE registered_at >= TIMESTAMPTZ '{trend_from}' GROUP BY m ORDER BY m",
        "by_category": f"SELECT k.parent_id, count(*), {KPI_COLUMNS} FROM cases c LEFT JOIN categories k "
                       f"ON k.id = c.category_id WHERE {in_month} GROUP BY k.parent_id ORDER BY k.parent_id",
        "by_source": f"SELECT source, count(*), {KPI_COLUMNS} FROM cases WHERE {in_month} GROUP BY source ORDER BY source",
        "hotspots": [f"SELECT estate_id, count(*) n FROM cases WHERE {in_month} AND estate_id IS NOT NULL "
                     "GROUP BY estate_id ORDER BY n DESC LIMIT 10",
                     f"SELECT address, count(*) n FROM cases WHERE {in_month} AND address <> '' GROUP BY address "
                     "HAVING count(*) >= 2 ORDER BY n DESC, address LIMIT 10"],
        "overview": [f"SELECT count(*) FROM cases WHERE registered_at >= TIMESTAMPTZ '{today}'",
                     f"SELECT state, count(*) FROM cases WHERE state IN {open_states} GROUP BY state",
                     f"SELECT count(*) FROM cases WHERE state IN {open_states} AND is_overdue",
                     f"SELECT * FROM cases WHERE state IN {open_states} AND is_overdue ORDER BY handle_deadline LIMIT 20",
                     f"SELECT count(DISTINCT case_id) FROM events WHERE action = 'callback' AND \"at\" >= TIMESTAMPTZ "
                     f"'{month_start}' AND json_extract_string(payload, '$.satisfaction') = 'unsatisfied'",
                     f"SELECT * FROM cases WHERE state IN {open_states} AND urge_count > 0 ORDER BY urge_count DESC LIMIT 20",
                     f"SELECT count(*) FROM cases WHERE state IN {open_states} AND urge_count > 0"],
    }

    def runner(sql):
        statements = sql if isinstance(sql, list) else [sql]
        return lambda: [con.execute(s).fetchall() for s in statements]

    return {name: runner(sql) for name, sql in queries.items()}


def export_to_parquet(url: str, folder: Path):
    """The same rows, exported from PostgreSQL with COPY and written to Parquet by DuckDB."""
    import duckdb
    import psycopg

    exports = {"cases": "SELECT id, source, category_id, address, neighbourhood_id, estate_id, grid_id, state, "
                        "lead_department_id, registered_at, dispatched_at, signed_at, first_contact_at, handled_at, "
                        "sign_deadline, first_contact_deadline, handle_deadline, is_overdue, urge_count, chase_count, "
                        "reopen_count, return_count, extension_count, satisfaction, solved, handling_hours FROM cases_case",
               "events": "SELECT case_id, action, at, payload FROM cases_caseevent",
               "departments": "SELECT id, name FROM org_department", "categories": "SELECT id, parent_id FROM org_category"}
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    with psycopg.connect(url) as conn:
        for name, sql in exports.items():
            csv_path = folder / f"{name}.csv"
            with open(csv_path, "wb") as handle, conn.cursor() as cur:
                with cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
                    for block in copy:
                        handle.write(block)
            parquet = folder / f"{name}.parquet"
            con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}', header=true, auto_detect=true, sample_size=-1)) "
                        f"TO '{parquet}' (FORMAT parquet)")
            csv_path.unlink()
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{parquet}')")
    return con


def measure(fn, runs: int) -> dict:
    fn()  # warm: plans, caches, imports
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[max(int(len(times) * 0.95) - 1, 0)], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/chengyun_bench_dashboard")
    parser.add_argument("--reuse", action="store_true", help="reuse the database generated by an earlier run")
    args = parser.parse_args()
    env = {"DATABASE_URL": args.database_url, "LOG_LEVEL": "ERROR", "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50}
    generated = {"reused": True}
    with tempfile.TemporaryDirectory(prefix="chengyun-dashboard-") as workdir:
        env["CHENGYUN_VAR_DIR"] = workdir
        os.environ.update(env)
        if not args.reuse:
            recreate_database(args.database_url)
            for command in (["migrate", "--noinput"], ["load_demo", "--cases", "0"]):
                subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env={**os.environ}, check=True,
                               capture_output=True)
            generated = generate(args.database_url, args.cases, Path(workdir))
            print(f"generated {generated['cases']:,} cases and {generated['events']:,} events with COPY "
                  f"in {generated['copy_seconds']}s", flush=True)
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chengyun.settings")
        import django

        django.setup()
        from core import clock

        started = time.perf_counter()
        con = export_to_parquet(args.database_url, Path(workdir))
        print(f"exported to Parquet in {time.perf_counter() - started:.1f}s", flush=True)
        pg_panels, duck_panels = postgres_panels(), duckdb_panels(con)
        check_pg = pg_panels["kpi_month"]()[0]
        check_duck = duck_panels["kpi_month"]()[0][0]
        assert check_pg["cases"] == check_duck[0] and check_pg["satisfied"]["numerator"] == check_duck[10], \
            (check_pg["cases"], check_duck[:12])
        results = {}
        with clock.frozen_at(NOW):
            for name in pg_panels:
                pg, duck = measure(pg_panels[name], args.runs), measure(duck_panels[name], args.runs)
                ratio = round(pg["p95_ms"] / duck["p95_ms"], 2) if duck["p95_ms"] else None
                results[name] = {"postgres": pg, "duckdb": duck, "ratio_p95": ratio}
                print(f"{name:20s} PostgreSQL p50 {pg['p50_ms']:7.1f} ms p95 {pg['p95_ms']:7.1f} ms | "
                      f"DuckDB p50 {duck['p50_ms']:7.1f} ms p95 {duck['p95_ms']:7.1f} ms | ratio {ratio}", flush=True)
    worst = max(r["postgres"]["p95_ms"] for r in results.values())
    worst_ratio = max(r["ratio_p95"] or 0 for r in results.values())
    print(json.dumps({"bench": "dashboard", **generated, "runs": args.runs, "panels": results,
                      "worst_postgres_p95_ms": worst, "worst_ratio_p95": worst_ratio,
                      "target_p95_ms": 300, "target_ratio": 5,
                      "met": worst < 300 and worst_ratio <= 5}, ensure_ascii=False))


if __name__ == "__main__":
    main()
