"""The case list's column sorting (whitelisted keys, stable with the id) and its bulk actions (one service call per
case, each allowed by the same table, role and scope as on the case's own page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as Switch
from django.db.models import F, IntegerField, QuerySet, Value, When

from core.errors import DomainError
from org.models import User

from . import selectors, services
from .models import Case, State

# ?sort=<key> or -<key>: the column's ordering (None last either way), then the id in the same direction.
SORT_KEYS = {"number": "number", "registered": "registered_at", "deadline": "handle_deadline", "state": "state_order",
             "category": "category__code"}
SORT_LABELS = {"number": "编号", "registered": "受理时间", "deadline": "办结期限", "state": "状态", "category": "类别"}
DEFAULT_SORT = "-registered"


def parse_sort(raw: str | None) -> str:
    raw = (raw or "").strip()
    return raw if raw.lstrip("-") in SORT_KEYS else DEFAULT_SORT


def sort_cases(qs: QuerySet[Case], sort: str) -> QuerySet[Case]:
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    if key == "state":  # the lifecycle's order (已受理 → 已结案), not the codes' alphabet
        qs = qs.annotate(state_order=Switch(*(When(state=s, then=Value(i)) for i, s in enumerate(State.values)),
                                            default=Value(len(State.values)), output_field=IntegerField()))
    column = F(SORT_KEYS[key])
    order = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return qs.order_by(order, "-id" if descending else "id")


def sort_headers(sort: str, query: str) -> dict[str, dict[str, str]]:
    """Per sortable column: the link that sorts by it (ascending first, then toggles) and its aria-sort."""
    key, descending = sort.lstrip("-"), sort.startswith("-")
    headers = {}
    for name, label in SORT_LABELS.items():
        current = name == key
        target = (name if descending else f"-{name}") if current else name
        headers[name] = {"label": label, "href": f"?{query + '&' if query else ''}sort={target}",
                         "aria": ("descending" if descending else "ascending") if current else "none"}
    return headers


@dataclass(frozen=True)
class BulkAction:
    action: str
    label: str
    note_label: str  # "" when the action takes no text
    run: Callable[..., Any]


BULK_ACTIONS = {
    "sign": BulkAction("sign", "批量签收", "", lambda user, case, note: services.case_sign(actor=user, case=case)),
    "urge": BulkAction("urge", "批量督办", "督办要求",
                       lambda user, case, note: services.case_urge(actor=user, case=case, note=note)),
}
BULK_LIMIT = 100


def bulk_actions_for(user: User) -> list[BulkAction]:
    from .transitions import TRANSITIONS

    return [entry for name, entry in BULK_ACTIONS.items() if user.role in TRANSITIONS[name].roles]


def bulk_run(user: User, action: str, ids: list[int], note: str = "") -> tuple[list[str], list[str]]:
    """Run one action on each chosen case the user may see: (numbers done, "编号:原因" of those refused)."""
    entry = next((e for e in bulk_actions_for(user) if e.action == action), None)
    if entry is None:
        return [], ["您的角色不能执行这项批量操作"]
    done, failed = [], []
    for case in selectors.case_list(user).filter(pk__in=ids[:BULK_LIMIT]).order_by("id"):
        allowed = {t.action for t in selectors.case_available_actions(user, case)}
        if action not in allowed:
            failed.append(f"{case.number}:当前状态为「{case.get_state_display()}」,不能{entry.label[2:]}")
            continue
        try:
            entry.run(user, case, note)
        except DomainError as exc:
            failed.append(f"{case.number}:{exc.message}")
        else:
            done.append(case.number)
    return done, failed
