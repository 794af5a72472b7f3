"""Facts about a request every layer may ask: the client's address and whether it wants JSON."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; behind TRUSTED_PROXY_COUNT reverse proxies, taken from X-Forwarded-For.

    Only the proxies' own entries are trusted: with one proxy the right-most forwarded address is the client as
    that proxy saw it, whatever a client wrote further left. None when no valid address is known.
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies and _valid_ip(forwarded[-proxies]):
            return forwarded[-proxies]
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _valid_ip(remote) else None


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/open311/")) or "application/json" in request.headers.get("Accept", "")
