"""The optimistic version check that protects SQLite, where row locks don't exist."""

import pytest

from cases import services
from cases.models import Case, CaseEvent
from core.errors import Conflict

pytestmark = pytest.mark.django_db


def test_a_stale_version_is_refused_and_nothing_changes(street):
    case = street.new_case()
    stale = Case.objects.get(pk=case.pk)
    services.case_urge(actor=street.leader, case=case, note="请尽快派单")
    with pytest.raises(Conflict):
        services.case_dispatch(actor=street.dispatcher, case=stale, lead_department=street.department,
                               expected_version=stale.version)
    case.refresh_from_db()
    assert case.state == "registered" and not CaseEvent.objects.filter(action="dispatch").exists()


def test_every_change_bumps_the_version_once(street):
    case = street.new_case()
    assert case.version == 0
    services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department)
    services.case_sign(actor=street.handler, case=case)
    case.refresh_from_db()
    assert case.version == 2
