"""`make prod-smoke` as part of the PostgreSQL test run: the real production stack, started, exercised, stopped."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from core.testing import service_listening

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(os.environ.get("CHENGYUN_SKIP_PROD_SMOKE") == "1", reason="CHENGYUN_SKIP_PROD_SMOKE=1")
def test_the_production_stack_serves_a_case_and_runs_the_sla_sweep_in_the_worker():
    if connection.vendor != "postgresql":
        pytest.skip("生产冒烟只在 PostgreSQL 测试轮中运行(它总是使用 PostgreSQL)")
    if not service_listening(6379):
        pytest.skip("Redis 未在 127.0.0.1:6379 运行")
    source = connection.settings_dict
    user = source.get("USER") or "postgres"
    password = f":{source['PASSWORD']}" if source.get("PASSWORD") else ""
    # A scratch database named after this run's test database, so parallel runs on one server never share one.
    url = f"postgres://{user}{password}@{source.get('HOST') or '127.0.0.1'}:{source.get('PORT') or 5432}/{source['NAME']}_prodsmoke"
    result = subprocess.run([sys.executable, "ops/prod_smoke.py", "--database-url", url], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    for line in ("registered through the API", "the worker marked the case 超时", "gunicorn, worker and beat stopped"):
        assert line in output
