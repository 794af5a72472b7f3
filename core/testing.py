"""Helpers shared by tests that use the machine's real services (Redis, Mosquitto, PostgreSQL)."""

import socket


def service_listening(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def tiny_png(color: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (8, 8)) -> bytes:
    """A real, decodable PNG: uploads are re-encoded, so tests cannot send a bare signature any more."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


# --- Fault tests: a real subprocess (manage.py …) against a copy of the test database ------------------------------

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


class ScratchDatabase:
    """A committed copy of the test database that a subprocess can open too: a file on SQLite (the test database is
    in memory there), `CREATE DATABASE … TEMPLATE` on PostgreSQL. Use from a `transaction=True` test after setting
    up its rows; `url` is the subprocess's DATABASE_URL, `connect()` a plain DB-API connection to read it."""

    def __init__(self, tmp_path, prefix: str = "chengyun_faults_"):
        import secrets

        from django.db import connection

        self.source = dict(connection.settings_dict)
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            import sqlite3

            path = tmp_path / "scratch.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()
            self.settings_dict = {**self.source, "NAME": str(path)}
            self.url = f"sqlite:///{path}"
            return
        import psycopg

        name = f"{prefix}{secrets.token_hex(4)}"
        connection.close()  # a template database must have no other session
        with self._admin() as admin:
            try:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.source["NAME"]}"')
            except psycopg.errors.ObjectInUse:
                # A connection left by an earlier test's background thread: only this test process uses its test
                # database, so end those sessions and copy again.
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                              "AND pid <> pg_backend_pid()", [self.source["NAME"]])
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.source["NAME"]}"')
        user = self.source.get("USER") or "postgres"
        password = f":{self.source['PASSWORD']}" if self.source.get("PASSWORD") else ""
        host, port = self.source.get("HOST") or "127.0.0.1", self.source.get("PORT") or 5432
        self.name = name
        self.settings_dict = {**self.source, "NAME": name}
        self.url = f"postgres://{user}{password}@{host}:{port}/{name}"

    def _admin(self):
        import psycopg

        from core.db import pg_params

        return psycopg.connect(**pg_params({**self.source, "NAME": "postgres"}), autocommit=True)

    def connect(self):
        """A DB-API connection in autocommit mode (each read sees what the subprocess has committed)."""
        if self.vendor == "sqlite":
            import sqlite3

            return sqlite3.connect(self.settings_dict["NAME"], isolation_level=None, timeout=20)
        import psycopg

        from core.db import pg_params

        return psycopg.connect(**pg_params(self.settings_dict), autocommit=True)

    def scalar(self, sql: str, params: tuple = ()):
        conn = self.connect()
        try:
            cursor = conn.cursor()
            cursor.execute(sql.replace("%s", "?") if self.vendor == "sqlite" else sql, params)
            row = cursor.fetchone()
            return None if row is None else (row[0] if len(row) == 1 else tuple(row))
        finally:
            conn.close()

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        conn = self.connect()
        try:
            cursor = conn.cursor()
            cursor.execute(sql.replace("%s", "?") if self.vendor == "sqlite" else sql, params)
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            conn.close()

    def env(self, var_dir, **extra: str) -> dict[str, str]:
        """The subprocess's environment: this database, the test's MEDIA_ROOT (uploads and reports are shared)."""
        import os

        from django.conf import settings

        return {**os.environ, "DATABASE_URL": self.url, "CHENGYUN_VAR_DIR": str(var_dir),
                "MEDIA_ROOT": str(settings.MEDIA_ROOT), "LOG_LEVEL": "ERROR", "CELERY_BROKER_URL": "memory://",
                "REDIS_CACHE_URL": "", "PYTHONUNBUFFERED": "1", **extra}

    def drop(self) -> None:
        if self.vendor == "postgresql":
            with self._admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def run_with_fault(argv: list[str], *, env: dict[str, str], background: bool = False):
    """`manage.py argv…` in a real subprocess through chengyun/fault_runner.py, which applies the fault named by
    the FAULT_* variables of `env` (a pause or a SIGKILL at a chosen point). Popen if `background`."""
    import subprocess
    import sys

    command = [sys.executable, str(ROOT / "chengyun" / "tests" / "fault_runner.py"), *argv]
    if background:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def tiny_pdf() -> bytes:
    """A real, complete one-page PDF: uploaded PDFs are parsed (strictly) before they are kept."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
