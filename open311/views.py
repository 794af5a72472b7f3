"""GeoReport v2 endpoints at /open311/v2/: discovery, services, requests, tokens — JSON and XML."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError

from . import selectors, services
from .models import Submission
from .render import error, respond

MAX_REQUESTS = 1000
DEFAULT_WINDOW = timedelta(days=90)


def _jurisdiction_ok(request: HttpRequest) -> bool:
    given = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    return not given or given == settings.OPEN311_JURISDICTION


def _guard(view):
    def wrapped(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
        if not _jurisdiction_ok(request):
            return error(fmt, 404, "jurisdiction_id not found / 辖区编号不存在")
        return view(request, *args, fmt=fmt, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": "2026-11-24T00:00:00+08:00",
        "contact": f"{settings.STREET_NAME}城运中心",
        "key_service": "向城运中心申请 API Key",
        "endpoints": [
            {"specification": "http://wiki.open311.org/GeoReport_v2", "url": base, "changeset": "2026-11-24T00:00:00+08:00",
             "type": "production", "formats": ["application/json", "text/xml"]},
        ],
    }
    return respond(data, fmt, root="discovery")


@require_GET
@_guard
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond([selectors.service_dict(c) for c in selectors.services()], fmt, root="services")


@require_GET
@_guard
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = selectors.services().filter(code=code).first()
    if category is None:
        return error(fmt, 404, "service_code not found / 服务类别不存在")
    return respond(selectors.service_definition(category), fmt, root="service_definition")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_guard
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    qs = selectors.request_queryset()
    ids = [i.strip() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        # The spec: with service_request_id, all other filters are ignored.
        return respond([selectors.request_dict(c) for c in qs.filter(number__in=ids[:MAX_REQUESTS])], fmt,
                       root="service_requests")
    start, end = request.GET.get("start_date"), request.GET.get("end_date")
    start_at = parse_datetime(start) if start else None
    end_at = parse_datetime(end) if end else None
    if (start and start_at is None) or (end and end_at is None):
        return error(fmt, 400, "start_date/end_date must be w3c datetimes / 日期格式须为 W3C 格式")
    if start_at is None and end_at is None:
        start_at = timezone.now() - DEFAULT_WINDOW
    if start_at:
        qs = qs.filter(registered_at__gte=start_at)
    if end_at:
        qs = qs.filter(registered_at__lte=end_at)
    codes = [c for c in request.GET.get("service_code", "").split(",") if c]
    if codes:
        qs = qs.filter(category__code__in=codes)
    statuses = {s for s in request.GET.get("status", "").split(",") if s}
    if statuses - {"open", "closed"}:
        return error(fmt, 400, "status must be open or closed / status 只能为 open 或 closed")
    if len(statuses) == 1:
        wanted = [state for state, status in selectors.OPEN311_STATUS.items() if status in statuses]
        qs = qs.filter(state__in=wanted)
    return respond([selectors.request_dict(c) for c in qs[:MAX_REQUESTS]], fmt, root="service_requests")


def _posted_key(request: HttpRequest) -> str:
    """The client's key: the `X-Api-Key` header (kept out of URLs and logs), else GeoReport's `api_key` field; the
    query string is still accepted for old clients, and the log filter masks it there."""
    return (request.headers.get("X-Api-Key") or request.POST.get("api_key") or request.GET.get("api_key", "")).strip()


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    api_key = services.open311_key_check(_posted_key(request))
    if api_key is None:
        return error(fmt, 403, "api_key is missing or invalid / API Key 无效")
    attributes: dict[str, list[str]] = {}
    for name in request.POST:
        if name.startswith("attribute[") and name.endswith("]"):
            code = name[len("attribute["):-1]
            attributes[code.rstrip("[]").removesuffix("]")] = request.POST.getlist(name)
    try:
        submission = services.open311_request_create(api_key=api_key, data=request.POST.dict(), attributes=attributes)
    except DomainError as exc:
        return error(fmt, 400, exc.message)
    body = [{"service_request_id": submission.case.number, "token": submission.token,
             "service_notice": "已受理,城运中心将尽快派单处理", "account_id": submission.account_id or None}]
    return respond(body, fmt, root="service_requests", status=201)


@require_GET
@_guard
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    case = selectors.request_queryset().filter(number=request_id).first()
    if case is None:
        return error(fmt, 404, "service_request_id not found / 工单不存在")
    return respond([selectors.request_dict(case)], fmt, root="service_requests")


@require_GET
@_guard
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    submission = Submission.objects.select_related("case").filter(token=token).first()
    if submission is None:
        return error(fmt, 404, "token not found / 令牌不存在")
    return respond([{"service_request_id": submission.case.number, "token": token}], fmt, root="service_requests")
