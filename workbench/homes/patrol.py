"""网格员 / 居委干部: the short on-site report form (photo, location, category, text), the cases they reported
(我上报的) and the handled cases to verify."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cases import queues, selectors, services
from cases.forms import CaseRegisterForm, one_time_token, posted_coordinates
from cases.models import Attachment, Source
from cases.transitions import TRANSITIONS
from cases.views import can_register, refused_page, registered_message
from core.errors import DomainError
from core.pages import login_required
from dispatch.places import place_for
from minqing import policy as minqing_policy  # --- issue18 visits ---
from minqing.selectors import coverage as visit_coverage  # --- issue18 visits ---
from org.models import Role
from org.selectors import address_options, place_for_address

from ..common import queue_page

THUMBS = 3  # photos shown per case in 我上报的


class PatrolReportForm(forms.Form):
    """Only what a patroller on foot gives: the photos (posted as `photos`), the location (posted coordinates or
    an address), the category if known, and what is wrong. The text is the one thing required."""

    content = forms.CharField(label="问题描述", max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如 愚园路菜场门口垃圾满溢"}))
    category = CaseRegisterForm.base_fields["category"]
    address = forms.CharField(label="地址或地标(可不填,已定位即可)", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As the register form: a one-time token, so a double tap on a slow network registers one case.
        self.posted_token, self.token = one_time_token(self)

    @property
    def idempotency_key(self) -> str | None:
        return f"patrol-form:{self.posted_token}" if self.posted_token else None


def my_reports(request: HttpRequest):
    """我上报的: the cases this user reported, newest first, with their first photos; a page of 20 (?mine=N)."""
    photos = Attachment.objects.filter(content_type__startswith="image/").order_by("pk")
    qs = (selectors.case_list(request.user).filter(created_by=request.user)
          .prefetch_related(Prefetch("attachments", queryset=photos, to_attr="photos"))
          .order_by("-registered_at", "-pk"))
    page = queue_page(request, qs, "mine")
    for case in page.object_list:
        case.thumbs = case.photos[:THUMBS]
    return page


def visit_summary(request: HttpRequest) -> dict | None:
    """--- issue18 visits ---: the 民情走访 coverage of the user's area (counts only) and the user's own plans."""
    user = request.user
    if user.role not in minqing_policy.READ_ROLES:
        return None
    summary = visit_coverage.summary(user)
    mine = visit_coverage.by_visitor(user, summary["period"], only=user)
    summary["mine"] = mine[0] if mine else None
    summary["masked"] = minqing_policy.masker_for(user).masked
    return summary


def _context(request: HttpRequest, form: PatrolReportForm) -> dict:
    return {"report_form": form, "address_options": address_options(), "mine": my_reports(request),
            "page": queue_page(request, queues.queue_to_verify(request.user)),
            "visit_coverage": visit_summary(request)}


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "workbench/grid.html", _context(request, PatrolReportForm()))


def _placed(address: str, latitude, longitude) -> dict:
    """Where the report is, as the address check and the suggestion panel say (a landmark such as 愚园路菜场
    included): the gazetteer places addresses at 受理 itself, a landmark or the pin is placed here."""
    if address and place_for_address(address) is not None:
        return {}
    match = place_for(address, latitude, longitude)
    if not match.known:
        return {}
    return {"neighbourhood": match.neighbourhood, "grid": match.grid}


@login_required
@require_POST
def report(request: HttpRequest) -> HttpResponse:
    """上报: the case and its photos in one transaction. Sent by htmx, a refusal answers with the form fragment
    (422) so the photos chosen stay in the page; success goes to the home page, where 我上报的 lists it."""
    if not can_register(request.user):
        return refused_page(request, "您的角色不能上报工单。", transition=TRANSITIONS["register"])
    form = PatrolReportForm(request.POST)
    htmx = request.headers.get("HX-Request") == "true"
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            latitude, longitude = posted_coordinates(request.POST)
            with transaction.atomic():
                case = services.case_register(
                    actor=request.user, idempotency_key=form.idempotency_key,
                    source=Source.PATROL if request.user.role == Role.GRID else Source.VISIT, title="",
                    content=data["content"], category=data["category"], address=data["address"],
                    latitude=latitude, longitude=longitude, **_placed(data["address"], latitude, longitude))
                if not getattr(case, "idempotent_replay", False):
                    for upload in request.FILES.getlist("photos"):
                        services.case_attach(actor=request.user, case=case, upload=upload, note="现场上报")
        except DomainError as exc:
            field = exc.details.get("field")
            form.add_error(field if field in form.fields else None, exc.message)
            status = exc.status if 400 <= exc.status < 500 else 422
        else:
            messages.success(request, registered_message(case))
            if htmx:
                response = HttpResponse(status=200)
                response["HX-Redirect"] = reverse("workbench")
                return response
            return redirect("workbench")
    if htmx:
        return render(request, "workbench/_patrol_report.html",
                      {"report_form": form, "address_options": address_options()}, status=status)
    return render(request, "workbench/grid.html", _context(request, form), status=status)
