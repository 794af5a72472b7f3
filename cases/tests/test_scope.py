"""Who sees and acts on which case: department, grid and 居民区 scope, through the selectors and the services."""

import pytest

from cases import selectors, services
from cases.models import State
from cases.selectors import CaseFilters
from core.errors import NotFound, PermissionDenied
from org.tests.factories import UserFactory

from .helpers import case_in_state, refused

pytestmark = pytest.mark.django_db


def numbers(user, filters=None) -> set[str]:
    return set(selectors.case_list(user, filters).values_list("number", flat=True))


def test_a_handler_sees_the_cases_of_its_own_department_only(street):
    mine = street.dispatched_case()
    theirs = services.case_dispatch(actor=street.dispatcher, case=street.new_case(),
                                    lead_department=street.other_department)
    street.new_case()  # not dispatched: no department sees it
    assert numbers(street.handler) == {mine.number}
    assert numbers(street.handler_other) == {theirs.number}
    assert selectors.case_get(street.handler, mine.pk) == mine
    assert selectors.case_get(street.handler, mine.number) == mine


def test_handler_of_another_department_gets_not_found_for_the_case(street):
    case = street.dispatched_case()
    for ref in (case.pk, str(case.pk), case.number):
        with pytest.raises(NotFound) as error:
            selectors.case_get(street.handler_other, ref)
        assert error.value.status == 404 and "不存在或不在您的权限范围内" in error.value.message


def test_handler_of_another_department_cannot_sign_or_act(street):
    case = street.dispatched_case()
    with refused(PermissionDenied, case, message=case.number):
        services.case_sign(actor=street.handler_other, case=case)
    with refused(PermissionDenied, case):
        services.case_request_return(actor=street.handler_other, case=case, reason="不是我们的")
    services.case_sign(actor=street.handler, case=case)
    with refused(PermissionDenied, case):
        services.case_add_progress(actor=street.handler_other, case=case, note="越权进展")


def test_a_co_handler_sees_the_case_and_adds_progress_and_reports_but_does_not_sign_or_finish(street):
    case = case_in_state(street, State.DISPATCHED)
    assert numbers(street.co_handler) == {case.number}
    with refused(PermissionDenied, case):
        services.case_sign(actor=street.co_handler, case=case)
    services.case_sign(actor=street.handler, case=case)
    services.case_add_progress(actor=street.co_handler, case=case, note="居委会已上门劝导")
    services.case_co_report(actor=street.co_handler, case=case, report="已配合完成")
    services.case_record_first_contact(actor=street.handler, case=case, method="phone", outcome="已联系")
    with refused(PermissionDenied, case):
        services.case_finish(actor=street.co_handler, case=case, result="协办不能办结")
    with refused(PermissionDenied, case):
        services.case_request_extension(actor=street.co_handler, case=case, reason="需要时间", extra_days=2)


def test_the_department_filter_follows_active_assignments(street):
    case = case_in_state(street, State.DISPATCHED)
    assert numbers(street.dispatcher, CaseFilters(department=street.co_department.pk)) == {case.number}
    assert numbers(street.dispatcher, CaseFilters(department=street.other_department.pk)) == set()


def test_a_grid_patroller_sees_own_grid_and_own_reports_only(street):
    in_grid = street.new_case()  # 愚园路128弄 lies in street.grid
    elsewhere = street.new_case(address="新闸路900号", grid=street.other_grid)
    own_report = street.new_case(actor=street.other_grid_user, address="愚园路150弄")  # in street.grid
    assert numbers(street.grid_user) == {in_grid.number, own_report.number}
    assert numbers(street.other_grid_user) == {elsewhere.number, own_report.number}
    with pytest.raises(NotFound):
        selectors.case_get(street.grid_user, elsewhere.pk)


def test_a_grid_patroller_verifies_fixes_in_own_grid_only(street):
    case = case_in_state(street, State.HANDLED)
    with refused(PermissionDenied, case):
        services.case_verify(actor=street.other_grid_user, case=case, fixed=True, note="越界核查")
    event = services.case_verify(actor=street.grid_user, case=case, fixed=False, note="现场仍有堆物")
    assert (event.action, event.payload, case.state) == ("verify", {"fixed": False}, State.HANDLED)


def test_a_cadre_sees_and_acts_on_own_neighbourhood_only(street):
    mine = case_in_state(street, State.HANDLED)
    other = street.new_case(address="新闸路900号", neighbourhood=street.other_neighbourhood)
    assert numbers(street.cadre) == {mine.number}
    with pytest.raises(NotFound):
        selectors.case_get(street.cadre, other.pk)
    other_cadre = UserFactory(role="cadre", neighbourhood=street.other_neighbourhood)
    with refused(PermissionDenied, mine):
        services.case_verify(actor=other_cadre, case=mine, fixed=True, note="越界核查")
    services.case_verify(actor=street.cadre, case=mine, fixed=True, note="已清理")


def test_street_wide_roles_see_everything(street):
    created = {street.new_case().number, street.new_case(address="新闸路900号").number,
               case_in_state(street, State.DISPATCHED).number}
    for user in (street.dispatcher, street.leader, street.intake, street.callback, street.admin):
        assert numbers(user) == created


def test_an_inactive_user_or_a_handler_without_department_sees_nothing(street):
    street.dispatched_case()
    street.dispatcher.is_active = False
    assert numbers(street.dispatcher) == set()
    assert numbers(UserFactory(role="handler", department=None)) == set()
