"""Every action × every state × every role, generated from cases.transitions.TRANSITIONS itself.

For each state one case is driven into it through the services; then for every action every actor tries it inside
a savepoint that is rolled back afterwards; every difference from the table is collected and reported at once.
The table decides the outcome:
- role not in the row's roles → PermissionDenied (403);
- role allowed, state not in the row's sources → TransitionNotAllowed (409);
- both allowed → success (one new event, the row's target state), unless the actor is out of scope (handler of a
  department without a share in the case, or a co-handler on a lead-only action) → PermissionDenied.
A refused call changes nothing. The guarded `case_available_actions` offers exactly the actions that succeed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from cases import services
from cases.models import Case, CaseEvent, State
from cases.selectors import case_available_actions
from cases.transitions import REQUEST_EXPIRED_EVENT, TRANSITIONS, Transition
from core.errors import DomainError, PermissionDenied, TransitionNotAllowed
from core.testing import tiny_png
from org.models import Role, User
from org.services import system_user

from .helpers import CHINESE, case_in_state, in_days

pytestmark = pytest.mark.django_db

PNG = tiny_png()

# Valid arguments for every action: a refusal can only come from the table, the scope or the guards.
CALLS: dict[str, Callable[[Any, User, Case], Any]] = {
    "dispatch": lambda s, a, c: services.case_dispatch(actor=a, case=c, lead_department=s.department),
    "sign": lambda s, a, c: services.case_sign(actor=a, case=c),
    "request_return": lambda s, a, c: services.case_request_return(actor=a, case=c, reason="不属于本单位"),
    "approve_return": lambda s, a, c: services.case_approve_return(actor=a, case=c, reason="同意退单"),
    "reject_return": lambda s, a, c: services.case_reject_return(actor=a, case=c, reason="属地管理,应由你单位处置"),
    "record_first_contact": lambda s, a, c: services.case_record_first_contact(actor=a, case=c, method="phone",
                                                                               outcome="已电话联系"),
    "add_progress": lambda s, a, c: services.case_add_progress(actor=a, case=c, note="已到现场查看"),
    "co_report": lambda s, a, c: services.case_co_report(actor=a, case=c, report="已配合清理"),
    "request_extension": lambda s, a, c: services.case_request_extension(actor=a, case=c, reason="需协调施工",
                                                                         extra_days=2),
    "approve_extension": lambda s, a, c: services.case_approve_extension(actor=a, case=c, reason="同意"),
    "reject_extension": lambda s, a, c: services.case_reject_extension(actor=a, case=c, reason="时限内可完成"),
    "finish": lambda s, a, c: services.case_finish(actor=a, case=c, result="已清理完毕"),
    "callback": lambda s, a, c: services.case_callback(actor=a, case=c, satisfaction="satisfied", solved=True,
                                                       first_contacted=True),
    "handler_callback": lambda s, a, c: services.case_handler_callback(actor=a, case=c, satisfaction="satisfied",
                                                                       solved=True, remarks="已电话回访,居民认可"),
    "reopen": lambda s, a, c: services.case_reopen(actor=a, case=c, reason="回访不满意,重新处置"),
    "close": lambda s, a, c: services.case_close(actor=a, case=c, reason="已向诉求人解释"),
    "urge": lambda s, a, c: services.case_urge(actor=a, case=c, note="请加快办理"),
    "respond_urge": lambda s, a, c: services.case_respond_urge(actor=a, case=c, note="已加派人员"),
    "chase": lambda s, a, c: services.case_chase(actor=a, case=c, note="诉求人再次来电"),
    "merge": lambda s, a, c: services.case_merge(actor=a, case=c, master=s.new_case(title="主工单")),
    "suspend": lambda s, a, c: services.case_suspend(actor=a, case=c, plan="挂账推进", review_date=in_days(30)),
    "resume": lambda s, a, c: services.case_resume(actor=a, case=c, note="恢复处置"),
    "attach": lambda s, a, c: services.case_attach(actor=a, case=c, upload=SimpleUploadedFile("现场.png", PNG)),
    "verify": lambda s, a, c: services.case_verify(actor=a, case=c, fixed=True, note="现场已清理"),
    "sensor_alarm": lambda s, a, c: services.case_record_sensor(actor=a, case=c, alarm=True, note="再次报警",
                                                                payload={"level": 12}),
    "sensor_normal": lambda s, a, c: services.case_record_sensor(actor=a, case=c, alarm=False, note="恢复正常",
                                                                 payload={"level": 0}),
    "mark_overdue": lambda s, a, c: services.case_mark_overdue(actor=a, case=c),
    "anonymise": lambda s, a, c: services.case_anonymise(actor=a, case=c, scrub=lambda locked: {"citizen_name": ""},
                                                         note="保存期满", basis="retention"),
}
ACTIONS = [action for action in TRANSITIONS if action != "register"]


def actors(street) -> dict[str, User]:
    """One in-scope user per role, plus the handler side's co-handler and outsider."""
    return {
        "admin": street.admin, "intake": street.intake, "dispatcher": street.dispatcher,
        "handler": street.handler, "co_handler": street.co_handler, "handler_other": street.handler_other,
        "callback": street.callback, "leader": street.leader, "grid": street.grid_user, "cadre": street.cadre,
        "auditor": street.auditor, "system": system_user(),
    }


def expected_refusal(transition: Transition, state: str, who: str, actor: User) -> type[DomainError] | None:
    if actor.role not in transition.roles:
        return PermissionDenied
    if state not in transition.sources:
        return TransitionNotAllowed
    # Scope, worked out here rather than asked of cases.policy: only a dispatched case has departments, the
    # co-handler acts only where the row allows it, and the outsider's department never has a share.
    has_share = state != State.REGISTERED
    if who == "handler" and not has_share:
        return PermissionDenied
    if who == "co_handler" and not (has_share and transition.co_handler_allowed):
        return PermissionDenied
    if who == "handler_other":
        return PermissionDenied
    return None


def row(case: Case) -> tuple:
    """The case row and its event count: a refused call must leave both as they were."""
    return Case.objects.values().get(pk=case.pk), CaseEvent.objects.filter(case_id=case.pk).count()


def prepare(street, action: str, case: Case) -> None:
    """Satisfy the action's own guard (a pending request, an urge), so only table and scope decide."""
    if action in ("approve_extension", "reject_extension") and case.state in TRANSITIONS["request_extension"].sources:
        services.case_request_extension(actor=street.handler, case=case, reason="需协调施工", extra_days=2)
    if action == "respond_urge" and case.state in TRANSITIONS["urge"].sources:
        services.case_urge(actor=street.leader, case=case, note="请加快办理")


def test_every_action_of_the_table_has_a_call_here():
    # A new row in the table without a call here fails instead of going untested.
    assert set(CALLS) == set(ACTIONS)


def test_every_role_and_state_appears_in_the_table():
    # The auditor (审计员) reads the audit log and never acts on a case.
    assert set().union(*(t.roles for t in TRANSITIONS.values())) == set(Role.values) - {Role.AUDITOR}
    targets = {t.to for t in TRANSITIONS.values() if t.to}
    assert targets | {State.REGISTERED} == set(State.values)


def outcome_problems(street, action: str, state: str, case: Case) -> list[str]:
    """Every actor tries `action` on the prepared case, each inside a savepoint rolled back afterwards; returns
    what differed from the table (empty when all is as it says)."""
    transition = TRANSITIONS[action]
    before = row(case)
    problems = []
    for who, actor in actors(street).items():
        fresh = Case.objects.get(pk=case.pk)
        offered = transition in case_available_actions(actor, fresh)
        expected = expected_refusal(transition, state, who, actor)
        where = f"{action} in {state} by {who}"
        savepoint = transaction.savepoint()
        try:
            CALLS[action](street, actor, fresh)
        except DomainError as error:
            if type(error) is not expected:
                problems.append(f"{where}: expected {expected and expected.__name__ or 'success'}, got {error!r}")
            elif not CHINESE.search(error.message):
                problems.append(f"{where}: message not in Chinese: {error.message!r}")
            elif row(fresh) != before:
                problems.append(f"{where}: refused but the case or its events changed")
            elif offered:
                problems.append(f"{where}: refused but offered by case_available_actions")
        else:
            fresh.refresh_from_db()
            target = transition.target(state)
            new = [(e.action, e.actor_id, e.from_state, e.to_state)
                   for e in CaseEvent.objects.filter(case=fresh).order_by("pk")[before[1]:]]
            if expected is not None:
                problems.append(f"{where}: expected {expected.__name__}, but it succeeded")
            elif fresh.state != target or fresh.version != before[0]["version"] + 1:
                problems.append(f"{where}: ended in {fresh.state} v{fresh.version}, expected {target}")
            # Pending requests no row can decide any more end as 已失效, one request_expired event each (issue 16).
            elif new[:1] != [(action, actor.pk, state, target)] or any(
                    e != (REQUEST_EXPIRED_EVENT, actor.pk, target, target) for e in new[1:]):
                problems.append(f"{where}: wrote events {new}")
            elif not offered:
                problems.append(f"{where}: succeeded but not offered by case_available_actions")
        finally:
            transaction.savepoint_rollback(savepoint)
    return problems


@pytest.mark.parametrize("state", State.values)
def test_every_action_by_every_role_in_state(street, state):
    case = case_in_state(street, state)
    problems = []
    for action in ACTIONS:
        savepoint = transaction.savepoint()
        try:
            prepare(street, action, Case.objects.get(pk=case.pk))
            problems += outcome_problems(street, action, state, case)
        finally:
            transaction.savepoint_rollback(savepoint)
    assert problems == []


@pytest.mark.parametrize("role", Role.values)
def test_register_is_open_to_the_roles_of_its_row_only(street, role):
    actor = system_user() if role == Role.SYSTEM else next(u for u in actors(street).values() if u.role == role)
    if role in TRANSITIONS["register"].roles:
        case = street.new_case(actor=actor)
        event = case.events.get()
        assert (case.state, event.action, event.actor, event.from_state) == (State.REGISTERED, "register", actor, "")
    else:
        with pytest.raises(PermissionDenied) as error:
            street.new_case(actor=actor)
        assert error.value.status == 403
        assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_refusals_map_to_403_and_409(street):
    case = case_in_state(street, State.DISPATCHED)
    with pytest.raises(PermissionDenied) as forbidden:
        services.case_sign(actor=street.dispatcher, case=case)
    with pytest.raises(TransitionNotAllowed) as wrong_state:
        services.case_finish(actor=street.handler, case=case, result="已处理")
    assert (forbidden.value.status, wrong_state.value.status) == (403, 409)
    assert wrong_state.value.details == {"state": State.DISPATCHED, "action": "finish"}
    assert "已派单" in wrong_state.value.message and "办结" in wrong_state.value.message
