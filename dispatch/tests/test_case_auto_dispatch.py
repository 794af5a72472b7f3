from django.test import override_settings

from cases.models import CaseEvent, State
from dispatch.models import DispatchOutcome
from dispatch.services import case_auto_dispatch
from org.models import Role

GROUP = "愚园路128弄3号楼上群租,二房东隔断成六间出租,住了十几个人"


@override_settings(DISPATCH_AUTO_CONFIDENCE=0.3)
def test_a_confident_case_is_dispatched_by_the_system_user(trained, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = trained.street.new_case(content=GROUP, category=None)
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.lead_department == trained.housing
    assert case.category == trained.categories["群租"]
    event = CaseEvent.objects.get(case=case, action="dispatch")
    assert event.actor.role == Role.SYSTEM and event.note.startswith("智能派单(置信度 ≥ 0.30):类别:群租")
    assert DispatchOutcome.objects.get(case=case).automatic


def test_it_is_off_by_default(trained, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = trained.street.new_case(content=GROUP, category=None)
    case.refresh_from_db()
    assert case.state == State.REGISTERED


def test_below_the_level_a_person_decides(trained):
    case = trained.street.new_case(content=GROUP, category=None)
    assert case_auto_dispatch(case=case, level=0.999) is None
    case.refresh_from_db()
    assert case.state == State.REGISTERED


def test_an_unknown_address_is_left_to_a_person(trained):
    case = trained.street.new_case(content=GROUP.replace("愚园路128弄3号", ""), category=None, address="火星路1号")
    assert case_auto_dispatch(case=case, level=0.3) is None


def test_a_possible_duplicate_is_left_to_a_person(trained):
    trained.street.new_case(content=GROUP, category=None)
    second = trained.street.new_case(content=GROUP + ",要求处理", category=None)
    assert case_auto_dispatch(case=second, level=0.3) is None


def test_an_operator_category_that_disagrees_is_left_to_a_person(trained):
    case = trained.street.new_case(content=GROUP, category=trained.street.category)
    assert case_auto_dispatch(case=case, level=0.3) is None
