"""The case lifecycle as one table: (action, from states, roles) → next state.

Services, the UI's buttons, the API's 409 answers and the tests are all driven from TRANSITIONS.
`to=None` means the action is recorded without changing the state (先联 again, 处置进展, 延期, 督办, 催单…).
Scope (which department / 居民区 / 网格 may act on which case) is checked in `cases.policy`.
"""

from __future__ import annotations

from dataclasses import dataclass

from org.models import Role

from .models import OPEN_STATES, State

S = State
R = Role


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    roles: frozenset[str]
    to: str | None
    # Who on the handler side may act: the lead department only, or co-handlers too.
    co_handler_allowed: bool = False

    def target(self, current: str) -> str:
        return self.to or current


def t(action: str, label: str, sources, roles, to: str | None, **kwargs) -> Transition:
    return Transition(action, label, frozenset(sources), frozenset(roles), to, **kwargs)


WORKING = {S.SIGNED, S.HANDLING}
CENTRE = {R.DISPATCHER, R.ADMIN}

TRANSITIONS: dict[str, Transition] = {
    tr.action: tr
    for tr in [
        #  action               label       from states                       roles                                → to
        t("register", "受理", {""}, {R.INTAKE, R.DISPATCHER, R.GRID, R.CADRE, R.ADMIN, R.SYSTEM}, S.REGISTERED),
        t("dispatch", "派单", {S.REGISTERED}, CENTRE | {R.SYSTEM}, S.DISPATCHED),
        t("sign", "签收", {S.DISPATCHED}, {R.HANDLER}, S.SIGNED),
        t("request_return", "申请退单", {S.DISPATCHED}, {R.HANDLER}, S.RETURN_REQUESTED),
        t("approve_return", "同意退单", {S.RETURN_REQUESTED}, CENTRE, S.REGISTERED),
        t("reject_return", "驳回退单", {S.RETURN_REQUESTED}, CENTRE, S.DISPATCHED),
        t("record_first_contact", "先联", WORKING, {R.HANDLER}, S.HANDLING),
        t("add_progress", "处置进展", WORKING, {R.HANDLER}, None, co_handler_allowed=True),
        t("co_report", "协办反馈", WORKING, {R.HANDLER}, None, co_handler_allowed=True),
        t("request_extension", "申请延期", WORKING, {R.HANDLER}, None),
        t("approve_extension", "同意延期", WORKING, CENTRE, None),
        t("reject_extension", "驳回延期", WORKING, CENTRE, None),
        t("finish", "办结", {S.HANDLING}, {R.HANDLER}, S.HANDLED),
        t("callback", "回访", {S.HANDLED}, {R.CALLBACK, R.DISPATCHER}, S.CALLED_BACK),
        t("reopen", "重办", {S.CALLED_BACK}, {R.CALLBACK} | CENTRE, S.DISPATCHED),
        t("close", "结案", {S.CALLED_BACK}, {R.CALLBACK} | CENTRE, S.CLOSED),
        t("urge", "督办", OPEN_STATES - {S.MERGED}, {R.LEADER, R.SYSTEM} | CENTRE, None),
        t("respond_urge", "督办回复", OPEN_STATES - {S.REGISTERED}, {R.HANDLER}, None),
        t("chase", "催单", OPEN_STATES, {R.INTAKE, R.SYSTEM} | CENTRE, None),
        t("merge", "合并重复件", {S.REGISTERED, S.DISPATCHED, S.RETURN_REQUESTED}, CENTRE, S.MERGED),
        t("suspend", "挂账", WORKING, CENTRE, S.SUSPENDED),
        t("resume", "解除挂账", {S.SUSPENDED}, CENTRE, S.HANDLING),
        t("attach", "上传附件", OPEN_STATES, {R.INTAKE, R.HANDLER, R.GRID, R.CADRE, R.SYSTEM} | CENTRE, None,
          co_handler_allowed=True),
        t("verify", "现场核查", {S.HANDLED, S.CALLED_BACK}, {R.GRID, R.CADRE}, None),
        t("sensor_alarm", "传感器再次报警", OPEN_STATES, {R.SYSTEM}, None),
        t("sensor_normal", "传感器恢复正常", OPEN_STATES, {R.SYSTEM}, None),
        t("mark_overdue", "超时", OPEN_STATES - {S.REGISTERED}, {R.SYSTEM}, None),
    ]
}


def transition_for(action: str) -> Transition:
    return TRANSITIONS[action]


def actions_from(state: str, role: str) -> list[Transition]:
    """Transitions whose state and role allow them (scope and guards are checked by the service)."""
    return [tr for tr in TRANSITIONS.values() if state in tr.sources and role in tr.roles and tr.action != "register"]
