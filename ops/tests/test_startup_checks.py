"""Without Redis the rate limits count per worker: the start-up checks say so outside development."""

import io

from django.core.checks import Warning, run_checks
from django.core.management import call_command


def w001():
    return [m for m in run_checks() if m.id == "chengyun.W001"]


def test_production_without_redis_warns_that_rate_limits_count_per_worker(settings):
    settings.DEBUG, settings.RATE_LIMIT_ENABLED, settings.REDIS_CACHE_URL = False, True, ""
    [warning] = w001()
    assert isinstance(warning, Warning) and "每个 worker" in warning.msg
    out, err = io.StringIO(), io.StringIO()
    call_command("check", stdout=out, stderr=err)
    assert "chengyun.W001" in out.getvalue() + err.getvalue()


def test_no_warning_with_redis_with_limits_off_or_in_development(settings):
    settings.DEBUG, settings.RATE_LIMIT_ENABLED, settings.REDIS_CACHE_URL = False, True, "redis://127.0.0.1:6379/1"
    assert w001() == []
    settings.REDIS_CACHE_URL, settings.RATE_LIMIT_ENABLED = "", False
    assert w001() == []
    settings.RATE_LIMIT_ENABLED, settings.DEBUG = True, True
    assert w001() == []
