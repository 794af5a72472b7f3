"""System checks run at start-up (`runserver`, `migrate`, `check --deploy`, gunicorn via `manage.py check`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=False)
def rate_limits_shared(app_configs=None, **kwargs) -> list[Warning]:
    """Without Redis every gunicorn worker counts rate limits in its own memory: say so outside development."""
    if settings.DEBUG or not getattr(settings, "RATE_LIMIT_ENABLED", False) or getattr(settings, "REDIS_CACHE_URL", ""):
        return []
    return [Warning(
        "未配置 REDIS_CACHE_URL:限流计数保存在每个进程的内存中,每个 worker 各算各的,实际上限是配置值乘以 worker 数"
        "(Rate limits are counted per worker process without REDIS_CACHE_URL).",
        hint="设置 REDIS_CACHE_URL=redis://…(所有应用主机共用),或在单进程演示时设 RATE_LIMIT_ENABLED=0。",
        id="chengyun.W001",
    )]
