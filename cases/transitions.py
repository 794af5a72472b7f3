"""The case lifecycle as one table: (action, from states, roles) → next state, with each row's guards, required
texts and bounds.

Everything reads this table: the write path (`cases.services.engine.perform` checks role, state and the guards
under the row lock: 403/409), the services (`require_fields`, `check_bounds`: 422), the buttons and the API's
`available_actions` (`Transition.refusal`), the forms (required marks, number bounds) and the tests.
`to=None` means the action is recorded without changing the state (先联 again, 处置进展, 延期, 督办, 催单…).
Scope (which department / 居民区 / 网格 may act on which case) is checked in `cases.policy`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from core.errors import Conflict, TransitionNotAllowed, ValidationFailed
from org.models import Role

from .models import FINISHED_STATES, OPEN_STATES, WORKING_STATES, Case, CaseEvent, Request, Satisfaction, State

S = State
R = Role


class CaseFacts:
    """What guards may ask about a case beyond its own fields, each looked up once and only when asked."""

    def __init__(self, case: Case):
        self.case = case

    @cached_property
    def pending_kinds(self) -> set[str]:
        return set(Request.objects.filter(case=self.case, status=Request.Status.PENDING)
                   .values_list("kind", flat=True))

    def has_event(self, action: str) -> bool:
        return CaseEvent.objects.filter(case=self.case, action=action).exists()

    def done_since_finish(self, action: str) -> bool:
        """Whether `action` was recorded after the latest 办结 (this handling round's)."""
        finished = (CaseEvent.objects.filter(case=self.case, action="finish").order_by("-at", "-id")
                    .values_list("id", flat=True).first())
        return finished is not None and CaseEvent.objects.filter(case=self.case, action=action,
                                                                 id__gt=finished).exists()


@dataclass(frozen=True)
class Guard:
    """A condition beyond state, role and scope; refused with 409 and `code` (Conflict when something else is
    pending or already done, TransitionNotAllowed otherwise)."""

    code: str
    message: str
    holds: Callable[[CaseFacts], bool]
    conflict: bool = False

    def error(self) -> Conflict | TransitionNotAllowed:
        kind = Conflict if self.conflict else TransitionNotAllowed
        return kind(self.message, code=self.code)


@dataclass(frozen=True)
class Required:
    """A text the action cannot do without, named as the API/form field. `when(values, case)` makes it
    conditional; a rule that needs the case (`needs_case`) is checked under the row lock."""

    field: str
    label: str
    when: Callable[[dict[str, Any], Case | None], bool] | None = None
    needs_case: bool = False
    # A 是/否 answer rather than a text: False is an answer, only None (not asked) is missing.
    choice: bool = False


@dataclass(frozen=True)
class Bound:
    field: str
    low: int
    high: int
    message: str


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    roles: frozenset[str]
    to: str | None
    # Who on the handler side may act: the lead department only, or co-handlers too.
    co_handler_allowed: bool = False
    guards: tuple[Guard, ...] = ()
    required: tuple[Required, ...] = ()
    bounds: tuple[Bound, ...] = ()

    def target(self, current: str) -> str:
        return self.to or current

    def refusal(self, facts: CaseFacts) -> Guard | None:
        """The first guard that does not hold for this case now, or None."""
        return next((guard for guard in self.guards if not guard.holds(facts)), None)

    def check_guards(self, facts: CaseFacts) -> None:
        if (guard := self.refusal(facts)) is not None:
            raise guard.error()

    def always_required(self) -> frozenset[str]:
        """Fields required whatever else is filled in: marked required on the form."""
        return frozenset(rule.field for rule in self.required if rule.when is None)

    def bound(self, name: str) -> Bound | None:
        return next((b for b in self.bounds if b.field == name), None)


def t(action: str, label: str, sources, roles, to: str | None, **kwargs) -> Transition:
    for key in ("guards", "required", "bounds"):
        if key in kwargs:
            kwargs[key] = tuple(kwargs[key])
    return Transition(action, label, frozenset(sources), frozenset(roles), to, **kwargs)


def req(name: str, label: str, when=None, *, needs_case: bool = False, choice: bool = False) -> Required:
    return Required(name, label, when, needs_case, choice)


CENTRE = {R.DISPATCHER, R.ADMIN}
WORKING = WORKING_STATES
ANONYMISE_EVENT = "anonymise"

EXTENSION_PENDING = Guard("request_pending", "已有待审核的延期申请",
                          lambda f: Request.Kind.EXTENSION not in f.pending_kinds, conflict=True)
EXTENSION_TO_DECIDE = Guard("no_pending_request", "该工单没有待审核的申请",
                            lambda f: Request.Kind.EXTENSION in f.pending_kinds)
RETURN_TO_DECIDE = Guard("no_pending_request", "该工单没有待审核的申请",
                         lambda f: Request.Kind.RETURN in f.pending_kinds)
URGED = Guard("no_urge", "该工单没有督办,无需回复", lambda f: f.case.urge_count > 0)
UNSATISFIED = Guard("reopen_needs_unsatisfied", "只有回访不满意的工单可以重办",
                    lambda f: f.case.satisfaction == Satisfaction.UNSATISFIED)
NOT_YET_OVERDUE = Guard("already_overdue", "工单已标记超时", lambda f: not f.case.is_overdue, conflict=True)
NOT_YET_ANONYMISED = Guard("already_anonymised", "工单个人信息已匿名化",
                           lambda f: not f.has_event(ANONYMISE_EVENT), conflict=True)

# 双回访 (双先联、双回访): the handling department calls the citizen back itself after 办结, then the centre does; the
# centre's round (action "callback") is the one the case keeps and every 满意率/解决率 counts.
HANDLER_CALLBACK_EVENT = "handler_callback"
HANDLER_CALLBACK_ONCE = Guard("handler_callback_done", "本轮办结后处置单位已自行回访",
                              lambda f: not f.done_since_finish(HANDLER_CALLBACK_EVENT), conflict=True)

EXTENSION_DAYS = Bound("extra_days", 1, 60, "延期天数须为 1 到 60 个工作日")

TRANSITIONS: dict[str, Transition] = {
    tr.action: tr
    for tr in [
        #  action               label       from states                       roles                                → to
        t("register", "受理", {""}, {R.INTAKE, R.DISPATCHER, R.GRID, R.CADRE, R.ADMIN, R.SYSTEM}, S.REGISTERED,
          required=[req("content", "诉求内容")]),
        t("dispatch", "派单", {S.REGISTERED}, CENTRE | {R.SYSTEM}, S.DISPATCHED),
        t("sign", "签收", {S.DISPATCHED}, {R.HANDLER}, S.SIGNED),
        t("request_return", "申请退单", {S.DISPATCHED}, {R.HANDLER}, S.RETURN_REQUESTED,
          required=[req("reason", "退单理由")]),
        t("approve_return", "同意退单", {S.RETURN_REQUESTED}, CENTRE, S.REGISTERED, guards=[RETURN_TO_DECIDE]),
        t("reject_return", "驳回退单", {S.RETURN_REQUESTED}, CENTRE, S.DISPATCHED, guards=[RETURN_TO_DECIDE],
          required=[req("reason", "驳回理由")]),
        t("record_first_contact", "先联", WORKING, {R.HANDLER}, S.HANDLING, required=[req("outcome", "联系情况")]),
        t("add_progress", "处置进展", WORKING, {R.HANDLER}, None, co_handler_allowed=True,
          required=[req("note", "进展情况")]),
        t("co_report", "协办反馈", WORKING, {R.HANDLER}, None, co_handler_allowed=True,
          required=[req("note", "协办反馈内容")]),
        t("request_extension", "申请延期", WORKING, {R.HANDLER}, None, guards=[EXTENSION_PENDING],
          required=[req("reason", "延期理由")], bounds=[EXTENSION_DAYS]),
        t("approve_extension", "同意延期", WORKING, CENTRE, None, guards=[EXTENSION_TO_DECIDE]),
        t("reject_extension", "驳回延期", WORKING, CENTRE, None, guards=[EXTENSION_TO_DECIDE],
          required=[req("reason", "驳回理由")]),
        t("finish", "办结", {S.HANDLING}, {R.HANDLER}, S.HANDLED,
          required=[req("result", "办结情况"),
                    req("explanation", "诉求未能满足的原因", lambda values, case: not values.get("demand_met", True))]),
        t("callback", "回访", {S.HANDLED}, {R.CALLBACK, R.DISPATCHER}, S.CALLED_BACK,
          required=[req("solved", "问题是否已实际解决", choice=True),
                    req("first_contacted", "处置人是否曾先行联系", choice=True),
                    req("remarks", "不满意原因",
                        lambda values, case: values.get("satisfaction") == Satisfaction.UNSATISFIED)]),
        t(HANDLER_CALLBACK_EVENT, "处置单位回访", {S.HANDLED}, {R.HANDLER}, None, guards=[HANDLER_CALLBACK_ONCE],
          required=[req("solved", "问题是否已实际解决", choice=True), req("remarks", "回访情况")]),
        t("reopen", "重办", {S.CALLED_BACK}, {R.CALLBACK} | CENTRE, S.DISPATCHED, guards=[UNSATISFIED],
          required=[req("reason", "重办理由")]),
        t("close", "结案", {S.CALLED_BACK}, {R.CALLBACK} | CENTRE, S.CLOSED,
          required=[req("reason", "不满意件结案说明", lambda values, case: case.satisfaction == Satisfaction.UNSATISFIED,
                        needs_case=True)]),
        t("urge", "督办", OPEN_STATES - {S.MERGED}, {R.LEADER, R.SYSTEM} | CENTRE, None,
          required=[req("note", "督办要求")]),
        t("respond_urge", "督办回复", OPEN_STATES - {S.REGISTERED}, {R.HANDLER}, None, guards=[URGED],
          required=[req("note", "督办回复")]),
        t("chase", "催单", OPEN_STATES, {R.INTAKE, R.SYSTEM} | CENTRE, None),
        t("merge", "合并重复件", {S.REGISTERED, S.DISPATCHED, S.RETURN_REQUESTED}, CENTRE, S.MERGED),
        t("suspend", "挂账", WORKING, CENTRE, S.SUSPENDED, required=[req("plan", "挂账处置计划")]),
        t("resume", "解除挂账", {S.SUSPENDED}, CENTRE, S.HANDLING),
        t("attach", "上传附件", OPEN_STATES, {R.INTAKE, R.HANDLER, R.GRID, R.CADRE, R.SYSTEM} | CENTRE, None,
          co_handler_allowed=True),
        t("verify", "现场核查", {S.HANDLED, S.CALLED_BACK}, {R.GRID, R.CADRE}, None, required=[req("note", "核查情况")]),
        t("sensor_alarm", "传感器再次报警", OPEN_STATES, {R.SYSTEM}, None),
        t("sensor_normal", "传感器恢复正常", OPEN_STATES, {R.SYSTEM}, None),
        t("mark_overdue", "超时", OPEN_STATES - {S.REGISTERED}, {R.SYSTEM}, None, guards=[NOT_YET_OVERDUE]),
        # 个人信息匿名化 after the retention period or on a PIPL erasure (privacy): names, phone and house number go.
        t(ANONYMISE_EVENT, "个人信息匿名化", FINISHED_STATES, {R.SYSTEM}, None, guards=[NOT_YET_ANONYMISED]),
    ]
}

# A pending request lives only while its decision is possible: when a change takes the case out of every state
# the deciding rows start from (延期 once the case is 办结, 挂账 or 合并; 退单 once it is 合并), the request is
# closed as 已失效 by the engine in the same transaction, with its own event on the timeline.
REQUEST_DECIDED_BY: dict[str, tuple[str, ...]] = {
    Request.Kind.EXTENSION: ("approve_extension", "reject_extension"),
    Request.Kind.RETURN: ("approve_return", "reject_return"),
}
REQUEST_EXPIRED_EVENT = "request_expired"


def requests_ending_in(state: str) -> list[str]:
    """The request kinds no row may decide any more once the case is in `state`."""
    return [kind for kind, actions in REQUEST_DECIDED_BY.items()
            if not any(state in TRANSITIONS[action].sources for action in actions)]


def transition_for(action: str) -> Transition:
    return TRANSITIONS[action]


def actions_from(state: str, role: str) -> list[Transition]:
    """Transitions whose state and role allow them (scope and guards are checked by the service)."""
    return [tr for tr in TRANSITIONS.values() if state in tr.sources and role in tr.roles and tr.action != "register"]


def require_fields(action: str, *, case: Case | None = None, **values: Any) -> dict[str, Any]:
    """The action's required texts, stripped; 422 naming the first one missing. Without `case`, the rules that
    need the case are left for the call under the row lock."""
    cleaned = dict(values)
    for rule in TRANSITIONS[action].required:
        if rule.needs_case and case is None:
            continue
        if rule.when is not None and not rule.when(values, case):
            continue
        if rule.choice:
            if not isinstance(values.get(rule.field), bool):
                raise ValidationFailed(f"请选择{rule.label}", details={"field": rule.field})
            continue
        text = (values.get(rule.field) or "").strip()
        if not text:
            raise ValidationFailed(f"请填写{rule.label}", details={"field": rule.label})
        cleaned[rule.field] = text
    return cleaned


def check_bounds(action: str, **values: Any) -> None:
    for bound in TRANSITIONS[action].bounds:
        value = values.get(bound.field)
        if not isinstance(value, int) or isinstance(value, bool) or not bound.low <= value <= bound.high:
            raise ValidationFailed(bound.message, details={"field": bound.field})
