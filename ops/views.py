"""Health probe for the load balancer and the deployment smoke test."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when this app host can reach its database, 503 otherwise; no personal or configuration data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means: take this host out of rotation
        return JsonResponse({"status": "database_unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
