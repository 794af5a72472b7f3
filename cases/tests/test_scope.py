"""Who sees which case: department, grid and 居民区 scope through the selectors."""

import pytest

from cases import selectors
from chengyun.errors import NotFound

pytestmark = pytest.mark.django_db


def numbers(user) -> set[str]:
    return set(selectors.case_list(user).values_list("number", flat=True))


def test_grid_patroller_sees_own_grid_and_own_reports_only(street):
    in_grid = street.new_case()  # 愚园路128弄 lies in street.grid
    elsewhere = street.new_case(address="新闸路900号", grid=street.other_grid)
    own_report = street.new_case(actor=street.other_grid_user, source="patrol", address="某处")
    assert numbers(street.grid_user) == {in_grid.number}
    assert numbers(street.other_grid_user) == {elsewhere.number, own_report.number}
    with pytest.raises(NotFound):
        selectors.case_get(street.grid_user, elsewhere.pk)


def test_cadre_sees_own_neighbourhood(street):
    mine = street.new_case()
    street.new_case(address="新闸路900号", neighbourhood=street.other_neighbourhood)
    assert numbers(street.cadre) == {mine.number}


def test_co_handler_sees_the_case_and_keeps_seeing_it_after_a_redispatch(street):
    from cases import services

    case = street.new_case()
    services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department,
                           co_departments=[street.co_department])
    assert case.number in numbers(street.co_handler)
    assert case.number not in numbers(street.handler_other)


def test_street_wide_roles_see_everything(street):
    created = {street.new_case().number, street.new_case(address="新闸路900号").number}
    for user in (street.dispatcher, street.leader, street.intake, street.callback, street.admin):
        assert numbers(user) == created
