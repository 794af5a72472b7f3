import pytest

from cases import services as case_services
from cases.models import Case, Source
from core.errors import Conflict, PermissionDenied, ValidationFailed
from minqing.models import Need, NeedEvent, NeedStatus
from minqing.services.needs import case_roles, need_close, need_open_case, need_resolve
from registry.models import CaseLink

from .factories import household, need


def test_a_cadre_turns_a_need_into_a_case_with_the_household_and_its_head(street, django_capture_on_commit_callbacks):
    item = need(street)
    with django_capture_on_commit_callbacks(execute=True):
        case = need_open_case(actor=street.cadre, need=item, category=street.category)
    case.refresh_from_db()
    assert case.source == Source.VISIT and case.content == item.text
    assert (case.address, case.citizen_name, case.citizen_phone) == ("愚园路120弄3号201室", "王秀英", "13912345678")
    assert case.neighbourhood_id == street.neighbourhood.pk and case.category == street.category
    item.refresh_from_db()
    assert item.case == case and item.status == NeedStatus.CASE
    assert NeedEvent.objects.filter(need=item, action="open_case").exists()
    link = CaseLink.objects.get(case=case)
    assert link.decision == "linked" and link.household_id == item.household_id


def test_the_cadre_is_among_the_roles_that_register_cases():
    from org.models import Role

    assert Role.CADRE in case_roles()


def test_a_need_opens_one_case_only(street):
    item = need(street)
    need_open_case(actor=street.cadre, need=item)
    with pytest.raises(Conflict, match="已转为工单"):
        need_open_case(actor=street.cadre, need=item)
    assert Case.objects.count() == 1


def test_a_need_outside_the_area_or_role_opens_nothing(street):
    other = household(street, "康定路900弄2号101室", neighbourhood=street.other_neighbourhood, head="李强")
    item = need(street, place=other, actor=street.dispatcher)
    with pytest.raises(PermissionDenied, match="不在您负责的区域内"):
        need_open_case(actor=street.cadre, need=item)
    with pytest.raises(PermissionDenied):
        need_open_case(actor=street.leader, need=item)
    assert not Case.objects.exists()
    assert Need.objects.get(pk=item.pk).status == NeedStatus.OPEN


def test_a_parent_category_is_refused_and_changes_nothing(street):
    item = need(street)
    parent = street.category.parent
    if parent is None:
        pytest.skip("the street's category has no parent")
    with pytest.raises(ValidationFailed, match="小类"):
        need_open_case(actor=street.cadre, need=item, category=parent)
    assert not Case.objects.exists() and not NeedEvent.objects.filter(action="open_case").exists()


def test_a_need_resolved_without_a_case_keeps_its_outcome(street):
    item = need(street)
    with pytest.raises(ValidationFailed, match="办理结果"):
        need_resolve(actor=street.cadre, need=item, outcome=" ")
    need_resolve(actor=street.cadre, need=item, outcome="已联系物业修好楼道灯")
    item.refresh_from_db()
    assert item.status == NeedStatus.RESOLVED and item.outcome == "已联系物业修好楼道灯" and item.resolved_at
    with pytest.raises(Conflict, match="不能直接办结"):
        need_resolve(actor=street.cadre, need=item, outcome="再次")
    need_close(actor=street.cadre, need=item, reason="已归档")
    assert Need.objects.get(pk=item.pk).status == NeedStatus.CLOSED


def test_a_need_with_a_case_is_not_closed_by_hand(street):
    item = need(street)
    need_open_case(actor=street.cadre, need=item)
    with pytest.raises(Conflict, match="随工单结案"):
        need_close(actor=street.cadre, need=item, reason="居民撤回")


def _through_handling(street, case):
    case_services.case_dispatch(actor=street.dispatcher, case=case, lead_department=street.department)
    case_services.case_sign(actor=street.handler, case=case)
    case_services.case_record_first_contact(actor=street.handler, case=case, method="phone", outcome="已联系")


def test_the_cases_finish_and_callback_flow_back_to_the_need(street, django_capture_on_commit_callbacks):
    item = need(street)
    with django_capture_on_commit_callbacks(execute=True):
        case = need_open_case(actor=street.cadre, need=item, category=street.category)
    with django_capture_on_commit_callbacks(execute=True):
        _through_handling(street, case)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_finish(actor=street.handler, case=case, result="已协调加装电梯意见征询")
    item.refresh_from_db()
    assert item.outcome == "已协调加装电梯意见征询" and item.status == NeedStatus.CASE
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_callback(actor=street.callback, case=case, satisfaction="unsatisfied", solved=False,
                                    first_contacted=True, remarks="电梯还没装")
    item.refresh_from_db()
    assert item.status == NeedStatus.UNRESOLVED
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_reopen(actor=street.callback, case=case, reason="居民不满意,重办")
    item.refresh_from_db()
    assert item.status == NeedStatus.CASE and item.resolved_at is None
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_sign(actor=street.handler, case=case)
        case_services.case_record_first_contact(actor=street.handler, case=case, method="phone", outcome="再次联系")
        case_services.case_finish(actor=street.handler, case=case, result="电梯已立项")
        case_services.case_callback(actor=street.callback, case=case, satisfaction="satisfied", solved=True,
                                    first_contacted=True)
    item.refresh_from_db()
    assert item.status == NeedStatus.RESOLVED and item.outcome == "电梯已立项"
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_close(actor=street.callback, case=case)
    item.refresh_from_db()
    assert item.status == NeedStatus.CLOSED
    actions = list(NeedEvent.objects.filter(need=item).values_list("action", flat=True))
    assert actions == ["create", "open_case", "case_handled", "case_callback", "case_reopened", "case_handled",
                       "case_callback", "case_closed"]
    callback = NeedEvent.objects.filter(need=item, action="case_callback").first()
    assert callback.payload["satisfaction"] == "unsatisfied" and callback.payload["solved"] is False


def test_the_listener_ignores_cases_without_a_need(street, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        street.called_back_case()
    assert not NeedEvent.objects.exists()
