"""The JSON API root: token auth, the one error format, and each app's router.

Errors are always {"code": "...", "message": "中文说明", "details": {...}}: 409 for a forbidden transition,
403 for scope/role, 404 for unknown or out-of-scope objects, 422 for invalid input, 401 without a valid token.
"""

from __future__ import annotations

import logging

from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from core.errors import DomainError
from org.services import api_token_authenticate

from .faults import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, database_unavailable

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(token, method=request.method)
        if user is not None:
            request.user = user
        return user


class TokenHeaderAuth(APIKeyHeader):
    """`X-API-Token: <key>` for clients that cannot set an Authorization header."""

    param_name = "X-API-Token"

    def authenticate(self, request: HttpRequest, key: str | None):
        user = api_token_authenticate(key or "", method=request.method)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="城运 chengyun API",
    version="1.0",
    description="街道城运中心工单平台接口。认证:`Authorization: Bearer <令牌>`(令牌由 /api/auth/token 或 "
    "`manage.py create_api_token` 获取)。错误格式:`{code, message, details}`。",
    auth=[TokenAuth(), TokenHeaderAuth(), django_auth],
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, code: str, message: str, details: dict | None = None):
    body = {"code": code, "message": message}
    if details:
        body["details"] = details
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError):
    return _error(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError):
    fields = []
    for error in exc.errors:
        location = ".".join(str(part) for part in error.get("loc", []) if part not in ("body", "payload", "query"))
        fields.append({"field": location, "error": error.get("msg", "")})
    return _error(request, 422, "validation_failed", "请求参数不正确", {"fields": fields})


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError):
    return _error(request, 401, "unauthenticated", "未登录或令牌无效")


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_value_out_of_range(request: HttpRequest, exc: Exception):
    # A number too large for the database column (found by fuzzing): the client's input, not our failure.
    logger.warning("value out of range on %s %s: %s", request.method, request.path, exc)
    return _error(request, 422, "value_out_of_range", "数值超出范围")


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request: HttpRequest, exc: Exception):
    # The connection dropped mid-request: the transaction was rolled back, nothing of the action was saved.
    database_unavailable(request, exc)
    response = _error(request, 503, "database_unavailable", DATABASE_UNAVAILABLE)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    return _error(request, exc.status_code, "http_error", str(exc))


def _register_routers() -> None:
    from cases.api import router as cases_router
    from dispatch.api import router as dispatch_router
    from kpi.api import router as kpi_router
    from notifications.api import router as notifications_router
    from org.api import router as org_router
    from privacy.api import router as privacy_router
    from registry.api import router as registry_router
    from sensors.api import router as sensors_router

    api.add_router("/", org_router)
    api.add_router("/cases", cases_router)
    api.add_router("/cases", privacy_router)  # /cases/{id}/unmask: the privacy app serves it
    api.add_router("/sensors", sensors_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/kpi", kpi_router)
    api.add_router("/dispatch", dispatch_router)
    api.add_router("/registry", registry_router)
    # --- issue18 projects ---
    from minsheng.api.projects import router as minsheng_projects_router
    from questionnaires.api_results import router as questionnaire_results_router

    api.add_router("/minsheng", minsheng_projects_router)
    api.add_router("/questionnaires", questionnaire_results_router)
    # --- end issue18 projects ---
    # --- issue18 themes ---
    from minsheng.api.themes import router as themes_router

    api.add_router("/minsheng", themes_router)
    # --- end issue18 themes ---
    # --- issue18 qform ---
    from questionnaires.api import router as questionnaires_router

    api.add_router("/questionnaires", questionnaires_router)
    # --- end issue18 qform ---
    # --- issue18 needs ---
    from minqing.api.needs import router as minqing_needs_router

    api.add_router("/minqing", minqing_needs_router)
    # --- end issue18 needs ---
    # --- issue18 visits ---
    from minqing.api.visits import router as minqing_visits_router

    api.add_router("/minqing", minqing_visits_router)
    # --- end issue18 visits ---


_register_routers()
