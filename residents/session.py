"""The resident's sign-in lives in the session under its own keys, never as a Django login: staff decorators
(login_required, roles) see an anonymous user, and a resident page sees no staff user.

Signing in flushes the session (a staff login in the same browser ends); it ends on 退出, after
RESIDENT_IDLE_SECONDS without a request, or when the person is anonymised or dies in the registry.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from registry.models import Person, PersonStatus

PERSON_KEY = "resident_person_id"
SEEN_KEY = "resident_seen"
PICK_KEY = "resident_pick"  # {"ids": [...], "phone": "…", "at": epoch}: several persons on one phone
PICK_SECONDS = 300
EXPIRED_MESSAGE = "长时间未操作,已自动退出,请重新登录。"


def idle_seconds() -> int:
    return getattr(settings, "RESIDENT_IDLE_SECONDS", 30 * 60)


def sign_in(request: HttpRequest, person: Person) -> None:
    request.session.flush()  # a new session key, and nothing of a staff login or an earlier resident stays
    request.session[PERSON_KEY] = person.pk
    request.session[SEEN_KEY] = int(time.time())


def sign_out(request: HttpRequest) -> None:
    request.session.flush()


def pick_start(request: HttpRequest, *, phone: str, persons: list[Person]) -> None:
    request.session.flush()
    request.session[PICK_KEY] = {"ids": [p.pk for p in persons], "phone": phone, "at": int(time.time())}


def pick_pending(request: HttpRequest) -> dict | None:
    pending = request.session.get(PICK_KEY)
    if not pending or time.time() - pending.get("at", 0) > PICK_SECONDS:
        return None
    return pending


def current_person(request: HttpRequest) -> Person | None:
    """The signed-in resident's person, or None (idle too long, anonymised or deceased since: signed out)."""
    person_id = request.session.get(PERSON_KEY)
    if not person_id:
        return None
    now = int(time.time())
    if now - int(request.session.get(SEEN_KEY, 0)) > idle_seconds():
        sign_out(request)
        messages.warning(request, EXPIRED_MESSAGE)
        return None
    person = (Person.objects.filter(pk=person_id, anonymised_at__isnull=True).exclude(status=PersonStatus.DECEASED)
              .select_related("neighbourhood").first())
    if person is None:
        sign_out(request)
        return None
    if now - int(request.session.get(SEEN_KEY, 0)) >= 60:
        request.session[SEEN_KEY] = now
    return person


def resident_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The resident pages' decorator: no resident sign-in → the sign-in page (no ?next=: there is one page)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        person = current_person(request)
        if person is None:
            return redirect("residents:signin")
        request.resident = person
        return view(request, *args, **kwargs)

    return wrapped


def end_on_staff_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        for key in (PERSON_KEY, SEEN_KEY, PICK_KEY):
            request.session.pop(key, None)
