from cases import services as cs
from dispatch.models import DispatchOutcome


def test_a_dispatch_against_the_suggestion_is_recorded_as_an_override(trained):
    street = trained.street
    case = street.new_case(content="楼上群租,隔断成很多小间,住了十几个人", category=None)
    cs.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department,
                     category=street.category)
    outcome = DispatchOutcome.objects.get(case=case)
    assert outcome.suggested_category == trained.categories["群租"] and outcome.category == street.category
    assert outcome.suggested_department == trained.housing and outcome.department == street.department
    assert outcome.category_overridden and outcome.department_overridden and not outcome.automatic
    assert outcome.version == trained.version and outcome.category_confidence > 0.3


def test_a_dispatch_following_the_suggestion_is_not_an_override(trained):
    street = trained.street
    case = street.new_case(content="楼上群租,隔断成很多小间", category=None)
    cs.case_dispatch(actor=street.dispatcher, case=case, lead_department=trained.housing,
                     category=trained.categories["群租"])
    outcome = DispatchOutcome.objects.get(case=case)
    assert not outcome.category_overridden and not outcome.department_overridden


def test_nothing_is_recorded_before_a_classifier_exists(street):
    street.dispatched_case()
    assert not DispatchOutcome.objects.exists()


def test_the_acceptance_rates_are_reported(trained):
    from dispatch.selectors import outcome_summary

    street = trained.street
    followed = street.new_case(content="楼上群租,隔断成很多小间", category=None)
    cs.case_dispatch(actor=street.dispatcher, case=followed, lead_department=trained.housing,
                     category=trained.categories["群租"])
    overridden = street.new_case(content="楼上群租,隔断成很多小间", category=None)
    cs.case_dispatch(actor=street.dispatcher, case=overridden, lead_department=street.department,
                     category=trained.categories["群租"])
    summary = outcome_summary()
    assert summary["dispatched"] == 2 and summary["department_overridden"] == 1
    assert summary["category_accepted_rate"] == 1.0 and summary["department_accepted_rate"] == 0.5
