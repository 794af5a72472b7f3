"""The notification centre and the header badge (polled by htmx, so it updates without a reload)."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.pages import login_required

from . import selectors, services


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.notifications_for(request.user, unread_only=unread_only), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "unread_only": unread_only})


@login_required
def notification_badge(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/_badge.html", {"unread": selectors.unread_count(request.user)})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Following a notice to its case marks it read (a link: GET, idempotent, only the user's own notices)."""
    notice = services.notification_open(user=request.user, pk=pk)
    return redirect("cases:detail", notice.case_id)


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    services.notification_mark_read(user=request.user, ids=ids or None)
    target = request.POST.get("next", "")
    if target.startswith("/cases/"):
        return redirect(target)
    return redirect("notifications:list")
