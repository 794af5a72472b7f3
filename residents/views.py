"""The resident's phone page /me/: sign in with phone + SMS code, pick oneself if a phone is shared, see one's own
household, capacities and cases (and the programmes' sections), sign out."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from registry.models import Person
from selfreport.services import RESEND_AFTER

from . import services, session
from .sections import page_sections


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _go(request: HttpRequest, name: str) -> HttpResponse:
    """After a sign-in step: htmx follows HX-Redirect (a whole page), a plain form post a 302."""
    if _is_htmx(request):
        from django.urls import reverse

        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse(name)
        return response
    return redirect(name)


def _signin_page(request: HttpRequest, *, phone: str = "", error: str = "", field: str = "",
                 status: int = 200) -> HttpResponse:
    template = "residents/_signin_form.html" if _is_htmx(request) else "residents/signin.html"
    return render(request, template, {"phone": phone, "error": error, "error_field": field,
                                      "resend_after": int(RESEND_AFTER.total_seconds())}, status=status)


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    """登录: phone + code. One person on the phone → /me/; several → the pick page; none → the message."""
    if request.method == "GET":
        if session.current_person(request) is not None:
            return redirect("residents:me")
        return _signin_page(request)
    phone = request.POST.get("phone", "").strip()[:20]
    code = request.POST.get("code", "").strip()[:6]
    if not code:
        return _signin_page(request, phone=phone, error="请填写短信验证码", field="code", status=422)
    try:
        result = services.resident_signin(phone=phone, code=code, request=request)
    except DomainError as exc:
        return _signin_page(request, phone=phone, error=exc.message, field=exc.details.get("field", ""),
                            status=exc.status)
    if len(result.persons) == 1:
        session.sign_in(request, result.persons[0])
        return _go(request, "residents:me")
    session.pick_start(request, phone=result.phone, persons=result.persons)
    return _go(request, "residents:pick")


@require_http_methods(["GET", "POST"])
def pick(request: HttpRequest) -> HttpResponse:
    """该手机号登记了多位居民: the resident picks themself by masked name (within five minutes of the code)."""
    pending = session.pick_pending(request)
    if pending is None:
        return _signin_page(request, error="请先用手机号和验证码登录", status=200 if request.method == "GET" else 422)
    persons = list(Person.objects.filter(pk__in=pending["ids"], anonymised_at__isnull=True).order_by("pk"))
    choices = [(p.pk, services.choice_label(p)) for p in persons]
    if request.method == "POST":
        chosen = next((p for p in persons if str(p.pk) == request.POST.get("person", "")), None)
        if chosen is None:
            return render(request, "residents/pick.html", {"choices": choices, "error": "请选择您本人"}, status=422)
        session.sign_in(request, chosen)
        services.resident_signed_in(request, phone=pending["phone"], person=chosen)
        return redirect("residents:me")
    return render(request, "residents/pick.html", {"choices": choices})


@session.resident_required
def me(request: HttpRequest) -> HttpResponse:
    person = request.resident
    return render(request, "residents/me.html", {"person": person, "sections": page_sections(request, person),
                                                 "signed_in": True})


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    person = session.current_person(request)
    session.sign_out(request)
    if person is not None:
        services.resident_signed_out(request, person=person)
    return redirect("residents:signin")
