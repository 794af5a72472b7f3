"""个人信息匿名化: a finished case's personal data removed for good, through the one write path.

What the texts become is the privacy app's rule (`scrub`); that it happens once, to a finished case, under the
row lock, with its append-only event and a new version, is the lifecycle table's row "anonymise".
"""

from __future__ import annotations

from collections.abc import Callable

from org.models import User

from ..models import Case
from ..transitions import ANONYMISE_EVENT
from .engine import perform

ANONYMISED_FIELDS = ("citizen_name", "citizen_phone", "address", "title", "content", "handling_result")


def case_anonymise(*, actor: User, case: Case, scrub: Callable[[Case], dict[str, str]], note: str,
                   basis: str) -> Case:
    """Replace the case's personal fields with what `scrub(locked_case)` returns (only those fields)."""

    def change(c: Case) -> None:
        replaced = scrub(c)
        for name in ANONYMISED_FIELDS:
            if name in replaced:
                setattr(c, name, replaced[name])

    perform(actor=actor, case=case, action=ANONYMISE_EVENT, change=change, note=note, payload={"basis": basis})
    return case
