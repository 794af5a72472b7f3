"""社区底册 pages of households (户, down to the room) and units (单位, 一店一档): lists, pages, forms, members and
contacts. Same rules as the person pages (registry/views.py): scope and masking in the selectors, writes through
the services, a masked role states a purpose before it sees a record clear."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cases.selectors import case_title_for
from core.errors import DomainError, ValidationFailed
from core.pages import login_required, role_required

from . import policy, selectors, services
from .forms import (
    ContactForm,
    HouseholdFilterForm,
    HouseholdForm,
    MemberAddForm,
    RevealForm,
    UnitFilterForm,
    UnitForm,
    cleaned,
    person_by_reference,
)
from .models import Entity, Household, Unit
from .page_panels import household_panels
from .policy import RegistryMasker
from .views import (
    READ,
    READ_REFUSED,
    check_write,
    create_flow,
    edit_flow,
    list_page,
    may_write,
    paginate,
    reveal_flow,
)

# --- households ----------------------------------------------------------------------------------------------------


def household_filters(request: HttpRequest) -> tuple[HouseholdFilterForm, dict[str, Any]]:
    form = HouseholdFilterForm(request.GET or None)
    data = cleaned(form)
    nb = data.get("neighbourhood")
    return form, {"q": data.get("q") or "", "neighbourhood": nb.pk if nb else None,
                  "housing": data.get("housing") or "", "crowded": bool(data.get("crowded"))}


@role_required(READ, READ_REFUSED)
@require_http_methods(["GET"])
def household_list(request: HttpRequest) -> HttpResponse:
    form, filters = household_filters(request)
    search = selectors.Search()
    qs = selectors.households(request.user, **filters, search=search).annotate(
        members=Count("memberships", filter=Q(memberships__ended_at__isnull=True)))
    page = paginate(request, qs)
    masker = RegistryMasker(request.user)
    rows = [selectors.household_row(h, masker=masker, members=h.members) for h in page]
    selectors.audit_list_unmasked(request.user, request, entity="household", ids=[r["id"] for r in rows])
    return list_page(request, rows, full="registry/households.html", partial="registry/_households_table.html",
                     context={"form": form, "page": page, "rows": rows, "search": search,
                              "can_create": request.user.role in policy.WRITE_ROLES})


def household_context(request: HttpRequest, household: Household, *, purpose: str = "",
                      reveal: RevealForm | None = None) -> dict[str, Any]:
    user = request.user
    masker = selectors.reader_masker(user, request, entity=Entity.HOUSEHOLD, object_id=household.pk, purpose=purpose)
    names, phones = selectors.household_secrets(household)
    members = selectors.household_members(user, household, masker=masker, include_past=True)
    cases = list(selectors.household_cases(user, household)[:50])
    for case in cases:
        case.display_title = case_title_for(user, case)
    return {
        "household": household, "card": selectors.household_card(user, household, masker=masker),
        "current": [m for m in members if m["ended_at"] is None], "past": [m for m in members if m["ended_at"]],
        "cases": cases, "timeline": selectors.timeline_for_page(selectors.timeline(user, entity=Entity.HOUSEHOLD, object_id=household.pk,
                                                       masker=masker, names=names, phones=phones)),
        "revealed": bool(purpose), "purpose": purpose,
        "can_reveal": masker.masked and user.role in policy.REVEAL_ROLES,
        "reveal": reveal if reveal is not None else RevealForm(),
        "can_edit": may_write(user, household), "member_form": MemberAddForm(),
        "panels": household_panels(request, household),  # REGISTRY_HOUSEHOLD_PANELS (民情 …)
    }


@login_required  # the scoped lookup answers first: 404 for a role that sees no registry row
@require_http_methods(["GET"])
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.get_household(request.user, pk)
    return render(request, "registry/household.html", household_context(request, household))


@login_required
@require_POST
def household_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    return reveal_flow(request, selectors.get_household(request.user, pk), template="registry/household.html",
                       context=household_context)


@role_required(policy.WRITE_ROLES, "您的角色不能登记户。")
@require_http_methods(["GET", "POST"])
def household_new(request: HttpRequest) -> HttpResponse:
    def success(household):
        messages.success(request, f"已登记一户(H{household.pk})")
        return redirect("registry:household", pk=household.pk)

    return create_flow(request, form=HouseholdForm(request.POST or None), title="登记户", back="registry:households",
                       save=lambda form: services.household_create(
                           actor=request.user, address=form.cleaned_data["address"],
                           neighbourhood=form.cleaned_data["neighbourhood"], **form.household_values()),
                       success=success)


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.get_household(request.user, pk)
    if refused := check_write(request, household, "该户"):
        return refused

    def save(form):
        return services.household_update(actor=request.user, household=household,
                                         version=form.cleaned_data["version"], **form.household_values())

    def success(_):
        messages.success(request, "已保存户信息")
        return redirect("registry:household", pk=household.pk)

    context = {"title": "修改户信息", "back": "registry:households", "obj_url": ("registry:household", household.pk),
               "submit": "保存", "entity_label": f"户 H{household.pk}"}
    return edit_flow(request, entity=Entity.HOUSEHOLD, obj=household, template="registry/form.html",
                     make_form=lambda data: HouseholdForm(data, editing=True,
                                                          initial=HouseholdForm.initial_for(household)),
                     save=save, context=context, success=success)


@login_required
@require_POST
def household_member(request: HttpRequest, pk: int) -> HttpResponse:
    """入户 (a person of the registry joins this household, leaving their old one as history) or 离户 (`out`)."""
    household = selectors.get_household(request.user, pk)
    if refused := check_write(request, household, "该户"):
        return refused
    form = MemberAddForm(request.POST)
    try:
        if request.POST.get("out"):
            person = person_by_reference(request.user, request.POST["out"], field="person")
            if not person or not person.memberships.filter(household=household, ended_at__isnull=True).exists():
                raise ValidationFailed("该人员不是本户的现有成员", details={"field": "person"})
            services.person_move(actor=request.user, person=person, household=None,
                                 note=request.POST.get("note", "")[:200])
            done = "已办理离户"
        else:
            if not form.is_valid():
                raise ValidationFailed(next(iter(form.errors.values()))[0], details={"field": "person"})
            person = person_by_reference(request.user, form.cleaned_data["person"], field="person")
            services.person_move(actor=request.user, person=person, household=household,
                                 relation=form.cleaned_data["relation"], note=form.cleaned_data["note"])
            done = "已办理入户"
    except DomainError as exc:
        context = household_context(request, household)
        context.update(member_error=exc.message, member_form=form)
        return render(request, "registry/household.html", context, status=exc.status)
    messages.success(request, done)
    return redirect("registry:household", pk=household.pk)


# --- units ---------------------------------------------------------------------------------------------------------


def unit_filters(request: HttpRequest) -> tuple[UnitFilterForm, dict[str, Any]]:
    form = UnitFilterForm(request.GET or None)
    data = cleaned(form)
    nb = data.get("neighbourhood")
    return form, {"q": data.get("q") or "", "neighbourhood": nb.pk if nb else None, "kind": data.get("kind") or "",
                  "status": data.get("status") or ""}


@role_required(READ, READ_REFUSED)
@require_http_methods(["GET"])
def unit_list(request: HttpRequest) -> HttpResponse:
    form, filters = unit_filters(request)
    page = paginate(request, selectors.units(request.user, **filters))
    masker = RegistryMasker(request.user)
    rows = [selectors.unit_row(u, masker=masker) for u in page]
    selectors.audit_list_unmasked(request.user, request, entity="unit",
                                  ids=[u.pk for u in page if u.operator_id])
    return list_page(request, rows, full="registry/units.html", partial="registry/_units_table.html",
                     context={"form": form, "page": page, "rows": rows,
                              "can_create": request.user.role in policy.WRITE_ROLES})


def _unit(request: HttpRequest, pk: int) -> Unit:
    unit = selectors.get_unit(request.user, pk)
    return Unit.objects.select_related("neighbourhood", "grid", "estate", "operator").prefetch_related(
        "contacts__person").get(pk=unit.pk)


def unit_context(request: HttpRequest, unit: Unit, *, purpose: str = "",
                 reveal: RevealForm | None = None) -> dict[str, Any]:
    user = request.user
    masker = selectors.reader_masker(user, request, entity=Entity.UNIT, object_id=unit.pk, purpose=purpose)
    card = selectors.unit_card(user, unit, masker=masker)
    names, phones = card.pop("secrets")
    return {
        "unit": unit, "card": card, "revealed": bool(purpose), "purpose": purpose,
        "timeline": selectors.timeline_for_page(
            selectors.timeline(user, entity=Entity.UNIT, object_id=unit.pk, masker=masker, names=names, phones=phones),
            entity=Entity.UNIT),
        "can_reveal": masker.masked and user.role in policy.REVEAL_ROLES,
        "reveal": reveal if reveal is not None else RevealForm(),
        "can_edit": may_write(user, unit), "contact_form": ContactForm(),
    }


@login_required  # the scoped lookup answers first: 404 for a role that sees no registry row
@require_http_methods(["GET"])
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "registry/unit.html", unit_context(request, _unit(request, pk)))


@login_required
@require_POST
def unit_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    return reveal_flow(request, _unit(request, pk), template="registry/unit.html", context=unit_context)


def _unit_fields(request: HttpRequest, form: UnitForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {"name": data["name"], "credit_code": data["credit_code"], "kind": data["kind"], "address": data["address"],
            "phone": data["phone"], "status": data["status"], "notes": data["notes"],
            "operator": person_by_reference(request.user, data["operator"], field="operator")}


@role_required(policy.WRITE_ROLES, "您的角色不能登记单位。")
@require_http_methods(["GET", "POST"])
def unit_new(request: HttpRequest) -> HttpResponse:
    def success(unit):
        messages.success(request, f"已登记单位 {unit.name}")
        return redirect("registry:unit", pk=unit.pk)

    return create_flow(request, form=UnitForm(request.POST or None), title="登记单位", back="registry:units",
                       save=lambda form: services.unit_create(actor=request.user,
                                                              neighbourhood=form.cleaned_data["neighbourhood"],
                                                              **_unit_fields(request, form)),
                       success=success)


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    if refused := check_write(request, unit, "该单位"):
        return refused

    def save(form):
        return services.unit_update(actor=request.user, unit=unit, version=form.cleaned_data["version"],
                                    **_unit_fields(request, form))

    def success(_):
        messages.success(request, "已保存单位信息")
        return redirect("registry:unit", pk=unit.pk)

    context = {"title": "修改单位信息", "back": "registry:units", "obj_url": ("registry:unit", unit.pk),
               "submit": "保存", "entity_label": f"单位 {unit.name}"}
    return edit_flow(request, entity=Entity.UNIT, obj=unit, template="registry/form.html",
                     make_form=lambda data: UnitForm(data, editing=True, initial=UnitForm.initial_for(unit)),
                     save=save, context=context, success=success)


@login_required
@require_POST
def unit_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """Add (or change the 职责 of) a contact, or remove one (`remove` = the person's 底册编号)."""
    unit = _unit(request, pk)
    if refused := check_write(request, unit, "该单位"):
        return refused
    form = ContactForm(request.POST)
    try:
        if request.POST.get("remove"):
            person = person_by_reference(request.user, request.POST["remove"], field="person")
            services.unit_contact_set(actor=request.user, unit=unit, person=person, remove=True)
            done = "已移除联系人"
        else:
            if not form.is_valid():
                raise ValidationFailed(next(iter(form.errors.values()))[0], details={"field": "person"})
            person = person_by_reference(request.user, form.cleaned_data["person"], field="person")
            services.unit_contact_set(actor=request.user, unit=unit, person=person, role=form.cleaned_data["role"])
            done = "已添加联系人"
    except DomainError as exc:
        context = unit_context(request, _unit(request, pk))
        context.update(contact_error=exc.message, contact_form=form)
        return render(request, "registry/unit.html", context, status=exc.status)
    messages.success(request, done)
    return redirect("registry:unit", pk=unit.pk)
