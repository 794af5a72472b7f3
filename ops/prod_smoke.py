"""`make prod-smoke`: the production stack on this machine's PostgreSQL and Redis, exercised once, then stopped.

gunicorn serves the app (static files through whitenoise, DEBUG off, settings only from the environment), a Celery
worker and Celery beat run on Redis. The smoke creates a case through the API, dispatches it, lets its deadline
pass and waits until beat has sent the SLA sweep and the worker has marked the case 超时. Every process it started
is stopped at the end, whatever happened; the scratch database is dropped.

    python ops/prod_smoke.py [--database-url postgres://postgres@127.0.0.1:5432/chengyun_prodsmoke]
                             [--redis-url redis://127.0.0.1:6379/13] [--keep-logs DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def step(message: str) -> None:
    print(f"[prod-smoke] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Api:
    """A client that talks to gunicorn as nginx would: plain HTTP on loopback, saying the client used HTTPS."""

    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, token: str | None = None, body: dict | None = None) -> tuple[int, dict | str]:
        headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")


def wait_for(check, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except (OSError, urllib.error.URLError):
            result = None
        if result:
            return result
        time.sleep(0.5)
    raise SystemExit(f"timed out after {timeout:.0f}s waiting for {what}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get(
        "PROD_SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chengyun_prodsmoke"))
    parser.add_argument("--redis-url", default=os.environ.get("PROD_SMOKE_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--keep-logs", default=None, help="copy the processes' logs here")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="chengyun-prodsmoke-"))
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url, "CELERY_BROKER_URL": args.redis_url, "CELERY_RESULT_BACKEND": args.redis_url,
        "REDIS_CACHE_URL": args.redis_url, "CHENGYUN_VAR_DIR": str(workdir / "var"), "MEDIA_ROOT": str(workdir / "media"),
        "SLA_SWEEP_SECONDS": "3", "LOG_LEVEL": "WARNING",
        # A queue of its own: another worker on the same Redis (a colleague's smoke) never takes this run's tasks.
        "CELERY_QUEUE": f"chengyun-prodsmoke-{port}",
        # The smoke is one client on loopback; production keeps its limits.
        "RATE_LIMIT_ENABLED": "0",
    }
    for name in ("CELERY_TASK_ALWAYS_EAGER", "CHENGYUN_INPROCESS_SCHEDULER", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    processes: dict[str, subprocess.Popen] = {}
    logs = {name: workdir / f"{name}.log" for name in ("gunicorn", "worker", "beat")}

    def start(name: str, command: list[str]) -> None:
        handle = logs[name].open("w")
        # Own process group, so stopping it stops the children (gunicorn's and the worker's) too.
        processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                           start_new_session=True)

    ok = False
    try:
        step(f"database {args.database_url}, broker and cache {args.redis_url}")
        recreate_database(args.database_url)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        manage(env, "check", "--deploy", "--fail-level", "WARNING")
        manage(env, "load_demo", "--cases", "0")
        intake_token = manage(env, "create_api_token", "intake").strip().splitlines()[-1]
        dispatcher_token = manage(env, "create_api_token", "dispatcher").strip().splitlines()[-1]

        step(f"starting gunicorn on 127.0.0.1:{port}, celery worker and celery beat")
        start("gunicorn", [str(BIN / "gunicorn"), "chengyun.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
                           "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1"])
        start("worker", [str(BIN / "celery"), "-A", "chengyun", "worker", "--loglevel", "INFO", "--concurrency", "1",
                         "--hostname", f"smoke-{port}@%h"])
        start("beat", [str(BIN / "celery"), "-A", "chengyun", "beat", "--loglevel", "INFO",
                       "--schedule", str(workdir / "celerybeat-schedule")])
        api = Api(f"http://127.0.0.1:{port}")
        wait_for(lambda: api.call("GET", "/healthz")[0] == 200, timeout=60, what="gunicorn /healthz")

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        try:
            urllib.request.build_opener(NoRedirect).open(f"http://127.0.0.1:{port}/cases/", timeout=10)
            raise SystemExit("plain HTTP was served instead of being redirected to HTTPS")
        except urllib.error.HTTPError as error:
            if error.code != 301 or not error.headers.get("Location", "").startswith("https://"):
                raise SystemExit(f"plain HTTP answered {error.code}, expected 301 to HTTPS") from None
        step("HTTP is redirected to HTTPS; /healthz answers through the proxy header")
        static = next((ROOT / "static").rglob("*.css"), None)
        if static is not None:
            relative = static.relative_to(ROOT / "static").as_posix()
            code, _ = api.call("GET", f"/static/{relative}")
            if code != 200:
                raise SystemExit(f"whitenoise did not serve /static/{relative}: {code}")
            step(f"whitenoise serves /static/{relative}")

        code, categories = api.call("GET", "/api/categories", intake_token)
        code_d, departments = api.call("GET", "/api/departments", dispatcher_token)
        if code != 200 or code_d != 200 or not categories or not departments:
            raise SystemExit(f"reference data missing: {code} {code_d}")
        code, case = api.call("POST", "/api/cases", intake_token, {
            "source": "walk_in", "title": "生产冒烟:楼道堆物", "content": "愚园路128弄3号楼道堆放纸板,冒烟测试工单。",
            "category_id": categories[-1]["id"], "address": "愚园路128弄3号", "citizen_name": "测试", "citizen_phone": "13800000000",
        })
        if code != 201:
            raise SystemExit(f"creating a case through the API answered {code}: {case}")
        step(f"case {case['number']} registered through the API")
        code, case = api.call("POST", f"/api/cases/{case['id']}/dispatch", dispatcher_token,
                              {"lead_department_id": departments[0]["id"], "note": "冒烟测试派单"})
        if code != 200:
            raise SystemExit(f"dispatching answered {code}: {case}")
        step(f"dispatched to {departments[0]['name']}; moving its handling deadline into the past")
        manage(env, "shell", "-c",
               "from datetime import timedelta; from django.utils import timezone; from cases.models import Case; "
               f"Case.objects.filter(pk={case['id']}).update(handle_deadline=timezone.now() - timedelta(hours=1))")

        def overdue_event():
            code, events = api.call("GET", f"/api/cases/{case['id']}/events", dispatcher_token)
            return code == 200 and [e for e in events if e["action"] == "mark_overdue"]

        events = wait_for(overdue_event, timeout=90, what="the SLA sweep (beat → Redis → worker) to mark the case 超时")
        step(f"the worker marked the case 超时 at {events[0]['at']} (actor {events[0].get('actor') or 'system'})")
        worker_log = logs["worker"].read_text()
        if "cases.tasks.sla_sweep" not in worker_log or "succeeded" not in worker_log:
            raise SystemExit("the worker log does not show cases.tasks.sla_sweep succeeding")
        step("worker log shows cases.tasks.sla_sweep succeeded")
        ok = True
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()  # the main process only: gunicorn and Celery then stop their children cleanly
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        step("gunicorn, worker and beat stopped")
        if args.keep_logs:
            Path(args.keep_logs).mkdir(parents=True, exist_ok=True)
            for path in logs.values():
                shutil.copy(path, Path(args.keep_logs) / path.name)
        if not ok:
            for name, path in logs.items():
                print(f"--- {name} log (last lines) ---")
                print("\n".join(path.read_text(errors="replace").splitlines()[-30:]) if path.exists() else "(none)")
        try:
            recreate_database(args.database_url, drop_only=True)
        except Exception as exc:  # the result stands; a leftover scratch database is only reported
            step(f"could not drop the scratch database: {exc}")
        shutil.rmtree(workdir, ignore_errors=True)
    step("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
