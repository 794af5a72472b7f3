"""Request rate limits on the public and API endpoints, counted in Django's cache (Redis in production).

A fixed window per client and group: the first request of a window creates the counter with the window as its
expiry, every request increments it (INCR is atomic in Redis, so several app hosts share one count). Over the
limit the answer is 429 with a Retry-After, in Chinese, as JSON for API clients.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from core.http import client_ip

from .security import rate_limited_response

logger = logging.getLogger(__name__)
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rule:
    group: str
    path: re.Pattern[str]
    methods: frozenset[str] | None = None  # None: every method


# First match wins; each rule names a group whose rate is in settings.RATE_LIMITS.
RULES = [
    Rule("login", re.compile(r"^/(login/|admin/login/|api/auth/token$)"), frozenset({"POST"})),
    Rule("api", re.compile(r"^/api/")),
    Rule("open311", re.compile(r"^/open311/")),
    Rule("report", re.compile(r"^/(report|me)/")),
]


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/m' → (30, 60): so many requests per so many seconds."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[-1]] * int(period.strip()[:-1] or 1)


def client_key(request: HttpRequest) -> str:
    """Who is counted: the client's address. Not the credential presented, since an attacker can invent a new
    token per request; an office behind one NAT address shares its budget, hence the generous API rate."""
    return client_ip(request) or "unknown"


def rate_limit_hit(*, group: str, key: str, rate: str, now: float | None = None) -> int | None:
    """Count one request; the seconds to wait when over the limit, else None."""
    limit, window = parse_rate(rate)
    now = time.time() if now is None else now
    window_start = int(now // window) * window
    cache_key = f"rl:{group}:{key}:{window_start}"
    try:
        cache.add(cache_key, 0, timeout=window + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window + 1)
            count = 1
    except Exception as exc:  # noqa: BLE001 — Redis down must not take the site down: fail open, say so in the log
        logger.warning("rate limit not counted (cache unavailable): %s", exc)
        return None
    if count > limit:
        return max(1, int(window_start + window - now))
    return None


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.RATE_LIMIT_ENABLED:
            for rule in RULES:
                if rule.path.match(request.path) and (rule.methods is None or request.method in rule.methods):
                    retry_after = rate_limit_hit(group=rule.group, key=client_key(request), rate=settings.RATE_LIMITS[rule.group])
                    if retry_after is not None:
                        response = rate_limited_response(request)
                        response["Retry-After"] = str(retry_after)
                        return response
                    break
        return self.get_response(request)
