"""What the home pages share: the page of a queue with its deadline colours, the operator's recent cases, the
role groups of the desks."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest

from cases import selectors
from cases.models import Case
from org.models import Role

PAGE = 20
# The centre's roles get the dispatch bench; patrollers and 居委 cadres the on-site report and the cases to verify.
DISPATCH_DESK_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})
PATROL_ROLES = frozenset({Role.GRID, Role.CADRE})


def queue_page(request: HttpRequest, qs, name: str = "page", *, audit: bool = True):
    page = Paginator(qs, PAGE).get_page(request.GET.get(name))
    cases = [case for case in getattr(page, "object_list", []) if isinstance(case, Case)]
    for case in cases:
        case.deadline_status = selectors.deadline_status(case)
        case.display_title = selectors.case_title_for(request.user, case)
    if audit:  # one entry per page view that shows personal data unmasked (see selectors.audit_list_view)
        selectors.audit_list_view(request.user, request, cases, object_type="workbench_queue")
    return page


def recent_cases(request: HttpRequest) -> list[Case]:
    """The intake operator's last ten cases, titles as a list shows them (audited once, see audit_list_view)."""
    recent = list(selectors.case_list(request.user).filter(created_by=request.user)[:10])
    for case in recent:
        case.display_title = selectors.case_title_for(request.user, case)
    selectors.audit_list_view(request.user, request, recent, object_type="workbench_recent")
    return recent


