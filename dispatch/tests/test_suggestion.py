from dispatch.selectors import department_for, place_for, suggestion_for_case, suggestion_for_text
from org.models import Department
from org.tests.factories import AddressRangeFactory, DepartmentFactory, EstateFactory

from .conftest import closed_case


def test_it_suggests_category_place_and_department_with_reasons(trained):
    suggestion = suggestion_for_text(content="楼上群租,隔断成好几间,二房东出租", address="愚园路128弄3号")
    assert suggestion.category.category.name == "群租"
    assert suggestion.place.neighbourhood == trained.street.neighbourhood
    assert suggestion.department.lead == trained.housing
    assert suggestion.department.co == [trained.police]
    reasons = suggestion.reasons
    assert reasons.startswith("类别:群租 0.")
    assert "'群租'" in reasons
    assert "愚园路128弄 → 愚园小区 → 金坛居民区" in reasons and "→ 房管办" in reasons


def test_without_a_classifier_it_says_so_and_still_places_the_address(street):
    suggestion = suggestion_for_text(content="楼道里堆满杂物", address="愚园路128弄3号")
    assert suggestion.categories == [] and suggestion.department is None
    assert suggestion.place.known
    assert "暂无分类模型" in suggestion.reasons


def test_an_unknown_address_is_said_in_the_reasons(trained):
    suggestion = suggestion_for_text(content="楼上群租,隔断", address="不存在路1号")
    assert not suggestion.place.known
    assert "地址:未能识别" in suggestion.reasons
    assert suggestion.department.lead == trained.housing  # street-wide rule still applies


def test_the_estate_own_property_company_leads_where_the_matrix_names_a_property_company(trained):
    own = DepartmentFactory(name="古北物业", kind=Department.Kind.PROPERTY)
    estate = EstateFactory(name="古北小区", neighbourhood=trained.street.neighbourhood, grid=trained.street.grid,
                           property_company=own)
    AddressRangeFactory(estate=estate, road="愚园路", first=300, last=320)
    guess = department_for(trained.categories["房屋渗漏"], place_for("愚园路310弄1号"), trained.version)
    assert guess.lead == own
    assert "古北小区的物业公司" in guess.reason


def test_history_overrules_the_matrix_when_the_estate_cases_ended_elsewhere(trained):
    street = trained.street
    for n in range(14):  # 14 of 22 with the 居委会, against 8 with the matrix's 城管中队
        closed_case(street, street.category, f"楼道堆物{n}", lead=street.co_department)
    from dispatch.services import classifier_train

    version = classifier_train()
    guess = department_for(street.category, place_for("愚园路128弄3号"), version)
    assert guess.lead == street.co_department
    assert guess.reason == "历史:该小区同类结案工单 22 件中 14 件由金坛居委会办结"


def test_history_that_agrees_with_the_matrix_is_cited(trained):
    guess = department_for(trained.categories["群租"], place_for("愚园路128弄3号"), trained.version)
    assert guess.lead == trained.housing
    assert "历史印证(该小区 8/8 件)" in guess.reason


def test_a_case_suggestion_uses_the_place_found_at_registration(trained):
    case = trained.street.new_case(content="楼上群租,隔断成很多小间", category=None, address="愚园路128弄3号")
    suggestion = suggestion_for_case(trained.street.dispatcher, case)
    assert suggestion.place.how == "case" and suggestion.place.estate == trained.street.estate
    assert suggestion.place.matched == "愚园路128弄"
    assert suggestion.category.category.name == "群租"


def test_cases_the_lead_asked_to_return_are_no_history_for_it(trained):
    from cases.models import Request
    from dispatch.services import department_history

    street = trained.street
    kept = closed_case(street, street.category, "楼道堆物", lead=street.co_department)
    Request.objects.create(case=kept, kind=Request.Kind.RETURN, status=Request.Status.REJECTED, reason="不属于本单位",
                           department=street.co_department, requested_by=street.handler, requested_at=kept.registered_at)
    closed_case(street, street.category, "楼道堆物", lead=street.co_department)
    counts = department_history()[f"e:{street.category.code}:{street.estate.pk}"]
    assert counts == {str(street.department.pk): 8, str(street.co_department.pk): 1}


def returned_by_housing(trained):
    """A 群租 case dispatched to 房管办, which asks to return it; the centre approves."""
    from cases import services
    from org.models import Role
    from org.tests.factories import UserFactory

    street = trained.street
    housing_handler = UserFactory(role=Role.HANDLER, department=trained.housing)
    case = street.new_case(content="楼上群租,隔断成好几间,二房东出租", category=None, address="愚园路128弄3号")
    assert suggestion_for_case(street.dispatcher, case).department.lead == trained.housing
    services.case_dispatch(actor=street.dispatcher, case=case, lead_department=trained.housing,
                           category=trained.categories["群租"])
    services.case_request_return(actor=housing_handler, case=case, reason="不属于本单位职责")
    services.case_approve_return(actor=street.dispatcher, case=case, reason="同意")
    return case


def test_after_an_approved_return_the_returning_department_is_never_proposed(trained):
    # Issue 16: the suggestion proposed 房管办 again right after 房管办's 退单 was approved.
    case = returned_by_housing(trained)
    suggestion = suggestion_for_case(trained.street.dispatcher, case)
    assert suggestion.department.lead == trained.police  # the co-department takes the lead
    assert trained.housing not in suggestion.department.co
    assert suggestion.department.reason == "房管办已退单,改由原协办单位派出所主办"


def test_the_dispatch_form_does_not_preselect_the_returning_department(trained):
    from dispatch.advice import form_defaults

    case = returned_by_housing(trained)
    defaults = form_defaults(case, "dispatch")
    assert defaults["lead_department_id"] == trained.police.pk
    assert trained.housing.pk not in defaults["co_department_ids"]


def test_a_returning_lead_without_co_departments_leaves_no_proposal(monkeypatch):
    import dispatch.departments as departments

    lead = Department(pk=10**6, name="甲单位")
    monkeypatch.setattr(departments, "_department_for",
                        lambda *args: departments.DepartmentGuess(lead, [], "依据责任矩阵"))
    assert departments.department_for(None, None, exclude={lead.pk: "甲单位"}) is None
    assert departments.department_for(None, None, exclude={}).lead is lead
