"""Intake throughput: N cases through the HTTP API of a real server process vs N raw INSERTs into the same DB.

    python bench/intake.py [--n 2000] [--clients 2] [--database-url postgres://postgres@127.0.0.1:5432/chengyun_bench]

Prints both rates and their ratio; the last line is JSON. The ratio is what to watch (machines are noisy):
it says how much the whole API path (auth, validation, gazetteer, case number, event, JSON) costs over a bare row.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True,
                          text=True).stdout


def prepare_database(url: str | None, workdir: str) -> tuple[dict, str]:
    env = {**os.environ, "CHENGYUN_VAR_DIR": workdir, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1",
           "SECRET_KEY": "bench-" + "x" * 50, "LOG_LEVEL": "ERROR",
           # Plain HTTP on loopback, and one client firing as fast as it can: no TLS redirect, no rate limit.
           "SECURE_SSL_REDIRECT": "0", "RATE_LIMIT_ENABLED": "0"}
    if url:
        parsed = urlparse(url)
        name = parsed.path.lstrip("/")
        admin = parsed._replace(path="/postgres").geturl()
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = url
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo", "--cases", "0")
    token = manage(env, "create_api_token", "intake").strip().splitlines()[-1]
    return env, token


def start_server(env: dict, port: int) -> subprocess.Popen:
    gunicorn = Path(PYTHON).with_name("gunicorn")
    cmd = [str(gunicorn), "chengyun.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--log-level", "warning"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("server did not start")


def case_body(i: int) -> dict:
    return {"source": "patrol", "title": f"楼道堆物 {i}", "content": f"愚园路128弄{i % 30 + 1}号楼道内堆放纸板杂物,堵塞消防通道({i})",
            "address": f"愚园路128弄{i % 30 + 1}号", "citizen_name": "张三", "citizen_phone": "13812345678"}


def post_cases(port: int, token: str, indices: range, failures: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for i in indices:
        conn.request("POST", "/api/cases", body=json.dumps(case_body(i)).encode(), headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 201:
            failures.append(response.status)
    conn.close()


def raw_inserts(env: dict, n: int) -> float:
    rows = [(f"RAW-{i:08d}", "patrol", case_body(i)["title"], case_body(i)["content"], case_body(i)["address"],
             "张三", "13812345678") for i in range(n)]
    ddl = ("CREATE TABLE bench_raw (id {pk}, number varchar(32) UNIQUE, source varchar(20), title varchar(120), "
           "content text, address varchar(200), citizen_name varchar(50), citizen_phone varchar(30))")
    if "DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            conn.execute("DROP TABLE IF EXISTS bench_raw")
            conn.execute(ddl.format(pk="bigserial PRIMARY KEY"))
            conn.commit()
            started = time.perf_counter()
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO bench_raw (number, source, title, content, address, citizen_name, "
                                "citizen_phone) VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
            conn.commit()
            return time.perf_counter() - started
    import sqlite3

    conn = sqlite3.connect(Path(env["CHENGYUN_VAR_DIR"]) / "chengyun.sqlite3")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("DROP TABLE IF EXISTS bench_raw")
    conn.execute(ddl.format(pk="integer PRIMARY KEY"))
    started = time.perf_counter()
    conn.executemany("INSERT INTO bench_raw (number, source, title, content, address, citizen_name, citizen_phone) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chengyun-bench-") as workdir:
        env, token = prepare_database(args.database_url, workdir)
        port = free_port()
        server = start_server(env, port)
        try:
            post_cases(port, token, range(10), [])  # warm up both workers
            failures: list = []
            chunks = [range(10 + c, 10 + args.n, args.clients) for c in range(args.clients)]
            threads = [threading.Thread(target=post_cases, args=(port, token, chunk, failures)) for chunk in chunks]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            api_seconds = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(10)
        if failures:
            raise SystemExit(f"{len(failures)} API requests failed: {sorted(set(failures))}")
        raw_seconds = raw_inserts(env, args.n)
    api_rate, raw_rate = args.n / api_seconds, args.n / raw_seconds
    db = "postgresql" if args.database_url else "sqlite"
    print(f"API (HTTP, {args.clients} clients, gunicorn 2 workers): {args.n} cases in {api_seconds:.2f}s = {api_rate:.0f} cases/s")
    print(f"raw INSERT (one transaction): {args.n} rows in {raw_seconds:.3f}s = {raw_rate:.0f} rows/s")
    print(json.dumps({"bench": "intake", "db": db, "n": args.n, "api_cases_per_s": round(api_rate, 1),
                      "raw_insert_rows_per_s": round(raw_rate, 1), "ratio_raw_over_api": round(raw_rate / api_rate, 1)}))


if __name__ == "__main__":
    main()
