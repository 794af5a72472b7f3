"""双回访 (seed 001: 双先联、双回访): the handling department's own callback and the centre's are two recorded rounds;
the centre's is the one the case keeps and the rates count."""

import pytest

from cases import metrics, services
from cases.models import CaseEvent, State
from core.errors import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed

from .helpers import refused

pytestmark = pytest.mark.django_db


def department_round(street, case, **kwargs):
    fields = {"satisfaction": "satisfied", "solved": True, "remarks": "已电话回访,居民表示满意"} | kwargs
    return services.case_handler_callback(actor=street.handler, case=case, **fields)


def test_two_rounds_are_two_events_and_the_centre_round_counts(street):
    case = street.handled_case()
    department_round(street, case)
    case.refresh_from_db()
    assert (case.state, case.satisfaction, case.solved) == (State.HANDLED, "", None)  # nothing counted yet
    services.case_callback(actor=street.callback, case=case, satisfaction="unsatisfied", solved=False,
                           first_contacted=True, remarks="堆物仍在")
    case.refresh_from_db()
    assert (case.satisfaction, case.solved) == ("unsatisfied", False)
    rounds = list(CaseEvent.objects.filter(case=case, action__in=["handler_callback", "callback"])
                  .order_by("id").values_list("action", "actor", "payload__satisfaction"))
    assert rounds == [("handler_callback", street.handler.pk, "satisfied"),
                      ("callback", street.callback.pk, "unsatisfied")]
    # The centre's 不满意 is what the overview lists, not the department's own 满意.
    overview = metrics.street_overview(street.leader)
    assert overview["unsatisfied_count"] == 1 and list(overview["unsatisfied"]) == [case]


def test_one_department_round_per_handling_round(street):
    case = street.handled_case()
    department_round(street, case)
    with refused(Conflict, case, code="handler_callback_done"):
        department_round(street, case)


def test_the_department_round_needs_its_answers(street):
    case = street.handled_case()
    with refused(ValidationFailed, case, message="请选择问题是否已实际解决"):
        department_round(street, case, solved=None)
    with refused(ValidationFailed, case, message="请填写回访情况"):
        department_round(street, case, remarks=" ")


def test_only_the_lead_handler_records_it_and_only_after_finish(street):
    case = street.handled_case()
    with refused(PermissionDenied, case):
        services.case_handler_callback(actor=street.callback, case=case, satisfaction="satisfied", solved=True,
                                       remarks="x")
    handling = street.handling_case()
    with refused(TransitionNotAllowed, handling):
        department_round(street, handling)
