"""`manage.py check --deploy` is clean with production settings, and catches a forgotten SECRET_KEY."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def check_deploy(tmp_path, **overrides: str) -> subprocess.CompletedProcess:
    # Not the test run's own environment: DJANGO_ALLOW_ASYNC_UNSAFE (set for the browser tests) fails the check.
    env = {key: value for key, value in os.environ.items()
           if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({
        "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "chengyun.jingan.example.cn",
        "CSRF_TRUSTED_ORIGINS": "https://chengyun.jingan.example.cn", "CHENGYUN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://chengyun@db.internal:5432/chengyun", "REDIS_CACHE_URL": "redis://redis.internal:6379/1",
        "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    })
    env.update(overrides)
    env = {key: value for key, value in env.items() if value is not None}
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy(tmp_path):
    result = check_deploy(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_demo_secret_key_fails_check_deploy(tmp_path):
    env_without_key = check_deploy(tmp_path, SECRET_KEY=None)
    assert env_without_key.returncode != 0
    assert "security.W009" in env_without_key.stdout + env_without_key.stderr


def test_debug_on_fails_check_deploy(tmp_path):
    result = check_deploy(tmp_path, DEBUG="1")
    assert result.returncode != 0 and "security.W018" in result.stdout + result.stderr


def test_production_without_redis_fails_check_deploy_with_the_per_worker_warning(tmp_path):
    result = check_deploy(tmp_path, REDIS_CACHE_URL=None)
    assert result.returncode != 0 and "chengyun.W001" in result.stdout + result.stderr
