"""The periodic SLA job: 超时 for cases past their handling deadline, an automatic 督办 for unsigned ones."""

from __future__ import annotations

import logging
from datetime import datetime

from core import clock
from core.errors import Conflict
from workdays.calendar import add_working_hours

from ..models import DEADLINE_STATES, Case, State
from .engine import iso_or_none, perform
from .supervision import case_mark_overdue

logger = logging.getLogger(__name__)


# --- the periodic SLA job -------------------------------------------------------------------------


def sla_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """超时 for cases past their handling deadline; an automatic 督办 for cases left unsigned past their limit.

    Each case is handled in its own transaction so one failure never blocks the rest.
    """
    from django.conf import settings

    from org.services import system_user

    now = now or clock.now()
    system = system_user()
    counts = {"overdue": 0, "escalated": 0, "failed": 0}
    overdue = Case.objects.filter(
        state__in=DEADLINE_STATES,
        is_overdue=False, handle_deadline__lt=now,
    )
    with clock.frozen_at(now):
        for case in overdue.iterator():
            try:
                case_mark_overdue(actor=system, case=case)
                counts["overdue"] += 1
            except Conflict:
                continue
            except Exception:
                # One broken case must not leave the rest of the street unswept; it is retried next run.
                logger.exception("SLA sweep: marking case %s overdue failed", case.pk)
                counts["failed"] += 1
        grace = settings.UNSIGNED_ESCALATION_GRACE_HOURS
        for case in Case.objects.filter(state=State.DISPATCHED, sign_escalated=False, sign_deadline__lt=now).iterator():
            if grace and add_working_hours(case.sign_deadline, grace) > now:
                continue

            def change(c: Case) -> None:
                # Re-checked under the row lock: since the query the case may have been signed (urge is allowed
                # in every open state, so the table would not stop it) or escalated by a concurrent sweep.
                if c.state != State.DISPATCHED or c.sign_escalated:
                    raise Conflict("工单已签收或已自动督办", code="already_escalated")
                c.sign_escalated = True
                c.urge_count += 1

            try:
                perform(actor=system, case=case, action="urge", change=change,
                         note=f"工单超过签收时限仍未签收,系统自动督办({case.lead_department})",
                         payload={"automatic": True, "reason": "unsigned", "sign_deadline": iso_or_none(case.sign_deadline)})
            except Conflict:
                continue
            except Exception:
                logger.exception("SLA sweep: escalating unsigned case %s failed", case.pk)
                counts["failed"] += 1
                continue
            counts["escalated"] += 1
    return counts
