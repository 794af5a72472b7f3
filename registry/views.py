"""社区底册 pages for staff: the person list and page, the person forms, and the helpers the household and unit
pages share (registry/views_places.py). Reads through registry.selectors (scope, masking, audit), writes through
registry.services; a masked role sees a record clear only after stating a purpose (registry.policy.REVEAL_PURPOSES),
once, not remembered, and audited.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from cases.selectors import case_title_for
from core.errors import DomainError, ValidationFailed
from core.pages import forbidden_page, login_required, role_required

from . import policy, selectors, services
from .forms import (
    CapacityForm,
    MoveForm,
    PersonFilterForm,
    PersonForm,
    RevealForm,
    attach_error,
    cleaned,
    household_by_address,
    unit_by_reference,
)
from .models import Entity, Person
from .page_panels import person_panels
from .policy import RegistryMasker

PAGE_SIZE = 30
READ = policy.READ_ROLES
READ_REFUSED = "您的角色不能查看社区底册。"


# --- shared by the registry pages ----------------------------------------------------------------------------------


def may_write(user, obj) -> bool:
    return user.role in policy.WRITE_ROLES and (user.role in policy.STREET_WIDE_ROLES or policy.in_scope(
        user, neighbourhood_id=obj.neighbourhood_id, grid_id=obj.grid_id))


def check_write(request: HttpRequest, obj, what: str) -> HttpResponse | None:
    """The 403 page for a role that may read but not change this record (the lookup came first: 404 before 403)."""
    if not may_write(request.user, obj):
        return forbidden_page(request, f"您的角色不能修改{what}。")
    return None


def list_page(request: HttpRequest, rows, *, full: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    query = request.GET.copy()
    query.pop("page", None)
    context = {**context, "query": query.urlencode()}
    response = render(request, partial if request.htmx and not request.htmx.history_restore_request else full,
                      context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def paginate(request: HttpRequest, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def reveal_form(request: HttpRequest) -> RevealForm | None:
    """The bound purpose form of a 查看完整信息 request, or None for a role that sees the record clear anyway."""
    if policy.sees_clear(request.user):
        return None
    return RevealForm(request.POST)


def edit_flow(request: HttpRequest, *, entity: str, obj, template: str, make_form: Callable[..., Any],
              save: Callable[[Any], Any], context: dict[str, Any], success: Callable[[Any], HttpResponse]):
    """An edit form of a record holding personal data. The form needs the values, so a masked role first states a
    purpose (POST `step=reveal`, audited) and gets the filled form once; the roles that see it clear get it at once
    (audited with 岗位职责). The save carries the version it was opened at: 409 "已被他人修改" if it moved on."""
    user = request.user
    masked = not policy.sees_clear(user)
    status = 200
    purpose = None
    if request.method == "POST" and request.POST.get("step") == "reveal":
        purpose = RevealForm(request.POST)
        if not purpose.is_valid():
            return render(request, template, {**context, "reveal": purpose, "form": None}, status=422)
        selectors.reader_masker(user, request, entity=entity, object_id=obj.pk, purpose=purpose.purpose_label())
        form = make_form(None)
    elif request.method == "POST":
        form = make_form(request.POST)
        if form.is_valid():
            try:
                result = save(form)
            except DomainError as exc:
                attach_error(form, exc)
                status = exc.status
            else:
                return success(result)
        else:
            status = 422
    elif masked:
        return render(request, template, {**context, "reveal": RevealForm(), "form": None})
    else:
        selectors.reader_masker(user, request, entity=entity, object_id=obj.pk)
        form = make_form(None)
    return render(request, template, {**context, "form": form, "reveal": None}, status=status)


# --- persons -------------------------------------------------------------------------------------------------------


def _person_filters(request: HttpRequest) -> tuple[PersonFilterForm, dict[str, Any]]:
    form = PersonFilterForm(request.GET or None, user=request.user)
    data = cleaned(form)
    nb = data.get("neighbourhood")
    return form, {"q": data.get("q") or "", "neighbourhood": nb.pk if nb else None, "tag": data.get("tag") or "",
                  "residence": data.get("residence") or "", "status": data.get("status") or ""}


def person_queryset(request: HttpRequest, search: selectors.Search):
    _, filters = _person_filters(request)
    return selectors.persons(request.user, **filters, request=request, search=search)


@role_required(READ, READ_REFUSED)
@require_http_methods(["GET"])
def person_list(request: HttpRequest) -> HttpResponse:
    form, filters = _person_filters(request)
    search = selectors.Search()
    qs = selectors.persons(request.user, **filters, request=request, search=search)
    page = paginate(request, selectors.persons_prefetched(qs))
    masker = RegistryMasker(request.user)
    rows = [selectors.person_row(p, masker=masker) for p in page]
    selectors.audit_list_unmasked(request.user, request, entity="person", ids=[r["id"] for r in rows])
    return list_page(request, rows, full="registry/persons.html", partial="registry/_persons_table.html", context={
        "form": form, "page": page, "rows": rows, "search": search, "masked": masker.masked,
        "can_create": request.user.role in policy.WRITE_ROLES})


def person_context(request: HttpRequest, person: Person, *, purpose: str = "",
                   reveal: RevealForm | None = None) -> dict[str, Any]:
    user = request.user
    masker = selectors.reader_masker(user, request, entity=Entity.PERSON, object_id=person.pk, purpose=purpose,
                                     force=person.anonymised_at is not None)
    card = selectors.person_card(user, person, masker=masker)
    names, phones = (person.name,), tuple(p for p in (person.phone, person.phone_alt) if p)
    cases = list(selectors.person_cases(user, person)[:50])
    for case in cases:
        case.display_title = case_title_for(user, case)
    return {
        "person": person, "card": card, "households": selectors.person_households(user, person, masker=masker),
        "capacities": selectors.person_capacity_rows(person), "units": selectors.person_units(user, person),
        "cases": cases, "timeline": selectors.timeline_for_page(selectors.timeline(user, entity=Entity.PERSON, object_id=person.pk,
                                                       masker=masker, names=names, phones=phones)),
        "revealed": bool(purpose), "purpose": purpose,
        "can_reveal": masker.masked and user.role in policy.REVEAL_ROLES and person.anonymised_at is None,
        "reveal": reveal if reveal is not None else RevealForm(),
        "can_edit": may_write(user, person), "move_form": MoveForm(), "capacity_form": CapacityForm(),
        "panels": person_panels(request, person),  # REGISTRY_PERSON_PANELS (民情 …)
    }


@login_required  # the scoped lookup answers first: 404 for a role that sees no registry row
@require_http_methods(["GET"])
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person(request.user, pk)
    return render(request, "registry/person.html", person_context(request, person))


@login_required
@require_POST
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """查看完整信息: the page once unmasked, with the stated purpose (audited); refused without one."""
    return reveal_flow(request, selectors.get_person(request.user, pk), template="registry/person.html",
                       context=person_context)


def reveal_flow(request: HttpRequest, obj, *, template: str, context: Callable[..., dict[str, Any]]) -> HttpResponse:
    """查看完整信息 of a person, household or unit: the record's page once unmasked with the stated purpose (its
    context function writes the audit entry); a role that can't reveal is refused, a missing purpose is a 422."""
    if request.user.role not in policy.REVEAL_ROLES:
        return forbidden_page(request, "您的角色无需(或不能)申请查看完整信息。")
    form = RevealForm(request.POST)
    if not form.is_valid():
        return render(request, template, context(request, obj, reveal=form), status=422)
    return render(request, template, context(request, obj, purpose=form.purpose_label()))


def _form_context(title: str, back: str, **extra) -> dict[str, Any]:
    return {"title": title, "back": back, **extra}


def create_flow(request: HttpRequest, *, form, title: str, back: str, save: Callable[[Any], Any],
                success: Callable[[Any], HttpResponse]) -> HttpResponse:
    """A 登记 form (person, household, unit): a valid POST goes to `save` (a service); a domain error is shown at its
    field with its status, an invalid form is a 422, and a saved record goes to `success`."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = save(form)
            except DomainError as exc:
                attach_error(form, exc)
                status = exc.status
            else:
                return success(result)
        else:
            status = 422
    return render(request, "registry/form.html", {"title": title, "back": back, "form": form, "reveal": None,
                                                  "submit": "登记"}, status=status)


@role_required(policy.WRITE_ROLES, "您的角色不能登记人员。")
@require_http_methods(["GET", "POST"])
def person_new(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("household"):
        initial["household"] = request.GET["household"]

    def save(form):
        household = household_by_address(request.user, form.cleaned_data["household"])
        if household is None and request.user.role not in policy.STREET_WIDE_ROLES:
            raise ValidationFailed("请填写所在户:您只能在负责区域的户中登记人员", details={"field": "household"})
        return services.person_create(actor=request.user, **form.person_values(), tags=form.cleaned_data["tags"],
                                      household=household, relation=form.cleaned_data["relation"])

    def success(person):
        messages.success(request, f"已登记人员 {person.name}(P{person.pk})"
                         if policy.sees_clear(request.user) else f"已登记人员 P{person.pk}")
        return redirect("registry:person", pk=person.pk)

    return create_flow(request, form=PersonForm(request.POST or None, initial=initial), title="登记人员",
                       back="registry:persons", save=save, success=success)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person(request.user, pk)
    if refused := check_write(request, person, "该人员"):
        return refused

    def make_form(data):
        return PersonForm(data, editing=True, initial=PersonForm.initial_for(person))

    def save(form):
        return services.person_update(actor=request.user, person=person, version=form.cleaned_data["version"],
                                      tags=form.cleaned_data["tags"], **form.person_values())

    def success(_):
        messages.success(request, "已保存人员信息")
        return redirect("registry:person", pk=person.pk)

    context = _form_context("修改人员信息", "registry:persons", back_pk=None, obj_url=("registry:person", person.pk),
                            submit="保存", entity_label=f"人员 P{person.pk}")
    return edit_flow(request, entity=Entity.PERSON, obj=person, template="registry/form.html",
                     make_form=make_form, save=save, context=context, success=success)


@login_required
@require_POST
def person_move(request: HttpRequest, pk: int) -> HttpResponse:
    """迁居 to another household (with `household`), or 离户 (`out=1`): the old membership is kept as history."""
    person = selectors.get_person(request.user, pk)
    if refused := check_write(request, person, "该人员"):
        return refused
    try:
        with transaction.atomic():
            if request.POST.get("out"):
                services.person_move(actor=request.user, person=person, household=None,
                                     note=request.POST.get("note", "")[:200])
                done = "已办理离户"
            else:
                form = MoveForm(request.POST)
                if not form.is_valid():
                    raise ValidationFailed(next(iter(form.errors.values()))[0], details={"field": "household"})
                household = household_by_address(request.user, form.cleaned_data["household"])
                services.person_move(actor=request.user, person=person, household=household,
                                     relation=form.cleaned_data["relation"], note=form.cleaned_data["note"])
                done = "已办理迁入"
    except DomainError as exc:
        context = person_context(request, person)
        context.update(move_error=exc.message, move_form=MoveForm(request.POST))
        return render(request, "registry/person.html", context, status=exc.status)
    messages.success(request, done)
    if not policy.visible(request.user, Person.objects.filter(pk=person.pk)).exists():
        messages.info(request, "该人员已迁出您负责的区域")
        return redirect("registry:persons")
    return redirect("registry:person", pk=person.pk)


@role_required(READ, READ_REFUSED)
@require_http_methods(["GET"])
def person_pick(request: HttpRequest) -> HttpResponse:
    """The person picker's results: at most ten persons of the reader's area, masked as the reader sees them."""
    search = selectors.Search()
    term = request.GET.get("pick_q", "")[:50]
    qs = selectors.persons(request.user, q=term, request=request, search=search) if term.strip() else Person.objects.none()
    masker = RegistryMasker(request.user)
    rows = [selectors.person_row(p, masker=masker) for p in selectors.persons_prefetched(qs)[:10]]
    selectors.audit_list_unmasked(request.user, request, entity="person", ids=[r["id"] for r in rows], what="pick")
    target = re.sub(r"[^\w-]", "", request.GET.get("target", ""))[:40]
    return render(request, "registry/_picker_results.html",
                  {"rows": rows, "refused": search.refused, "term": term.strip(), "target": target})


@login_required
@require_POST
def person_capacity(request: HttpRequest, pk: int) -> HttpResponse:
    """授予身份 (kind, optional unit) or 结束身份 (`end` = the capacity's id): a person's capacities in programmes."""
    from .models import Capacity

    person = selectors.get_person(request.user, pk)
    if refused := check_write(request, person, "该人员"):
        return refused
    form = CapacityForm(request.POST)
    try:
        if request.POST.get("end"):
            capacity = Capacity.objects.filter(person=person, pk=int(request.POST["end"]) if request.POST[
                "end"].isdigit() else 0).first()
            if capacity is None:
                raise ValidationFailed("该人员没有这项身份")
            services.capacity_end(actor=request.user, capacity=capacity, note=request.POST.get("note", "")[:200])
            done = "已结束该身份"
        else:
            if not form.is_valid():
                raise ValidationFailed(next(iter(form.errors.values()))[0], details={"field": "kind"})
            services.capacity_grant(actor=request.user, person=person, kind=form.cleaned_data["kind"],
                                    unit=unit_by_reference(request.user, form.cleaned_data["unit"]),
                                    neighbourhood=person.neighbourhood, note=form.cleaned_data["note"])
            done = "已授予身份"
    except DomainError as exc:
        context = person_context(request, person)
        context.update(capacity_error=exc.message, capacity_form=form)
        return render(request, "registry/person.html", context, status=exc.status)
    messages.success(request, done)
    return redirect("registry:person", pk=person.pk)
