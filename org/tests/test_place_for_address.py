import pytest

from org.selectors import place_for_address, responsibility_for
from org.tests.factories import ResponsibilityRuleFactory

pytestmark = pytest.mark.django_db


def test_lane_inside_a_range_finds_estate_neighbourhood_and_grid(street):
    place = place_for_address("愚园路128弄3号")
    assert place.estate == street.estate and place.neighbourhood == street.neighbourhood and place.grid == street.grid


def test_full_width_digits_prefix_and_old_lane_character_are_understood(street):
    place = place_for_address("上海市静安区愚园路１６８衖")
    assert place is not None and place.matched == "愚园路168弄"


def test_outside_every_range_is_unknown_not_guessed(street):
    assert place_for_address("愚园路170弄") is None
    assert place_for_address("胶州路128弄") is None
    assert place_for_address("") is None


def test_estate_name_alone_is_enough(street):
    assert place_for_address("愚园小区门口垃圾箱满溢").estate == street.estate


def test_neighbourhood_rule_wins_over_the_street_wide_rule(street):
    local = ResponsibilityRuleFactory(category=street.category, neighbourhood=street.neighbourhood,
                                      lead_department=street.other_department)
    assert responsibility_for(street.category, street.neighbourhood) == local
    assert responsibility_for(street.category, street.other_neighbourhood).lead_department == street.department
