"""受理: case_register and case_register_bulk."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from cases import services
from cases.models import Case, CaseEvent, IdempotencyKey, State
from core import clock
from core.errors import PermissionDenied, ValidationFailed
from org.selectors import Gazetteer
from org.tests.factories import ParentCategoryFactory

from .helpers import CHINESE, at

pytestmark = pytest.mark.django_db


def refused_registration(street, **fields) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as error:
        street.new_case(**fields)
    assert error.value.status == 422 and CHINESE.search(error.value.message)
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    return error.value


def test_intake_registers_a_case_with_one_register_event(street):
    with clock.frozen_at(at(2026, 9, 30, 10, 15)):
        case = street.new_case()
    case.refresh_from_db()
    assert case.number == "JAS-2026-000001"
    assert (case.state, case.version, case.created_by) == (State.REGISTERED, 0, street.intake)
    assert case.registered_at == at(2026, 9, 30, 10, 15)
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.actor, event.from_state, event.to_state) == ("register", street.intake, "",
                                                                             State.REGISTERED)
    assert event.at == at(2026, 9, 30, 10, 15)
    assert event.payload == {"source": "patrol", "place_found": True}


def test_an_address_in_the_gazetteer_places_the_case_in_its_estate_neighbourhood_and_grid(street):
    case = street.new_case(address="上海市静安区愚园路 128 弄 3 号")
    assert (case.estate, case.neighbourhood, case.grid) == (street.estate, street.neighbourhood, street.grid)


def test_an_unknown_address_leaves_the_case_unplaced_and_says_so_in_the_event(street):
    case = street.new_case(address="新闸路900号")
    assert (case.estate, case.neighbourhood, case.grid) == (None, None, None)
    assert case.events.get().payload["place_found"] is False


def test_a_grid_patrollers_report_at_an_unknown_address_lies_in_their_grid_and_its_neighbourhood(street):
    case = street.new_case(actor=street.grid_user, address="金坛路边绿化带")
    assert (case.grid, case.neighbourhood) == (street.grid, street.neighbourhood)


def test_case_numbers_run_on_within_a_year_and_restart_in_the_next_local_year(street):
    with clock.frozen_at(at(2026, 12, 31, 23, 0)):
        first, second = street.new_case(), street.new_case()
    # 16:30 UTC on 31 December is already 1 January in Shanghai.
    with clock.frozen_at(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)):
        next_year = street.new_case()
    assert [first.number, second.number, next_year.number] == ["JAS-2026-000001", "JAS-2026-000002",
                                                               "JAS-2027-000001"]


def test_the_title_defaults_to_the_start_of_the_content(street):
    case = street.new_case(title="  ", content="  " + "小区门口共享单车乱停放" * 5)
    assert case.title == ("小区门口共享单车乱停放" * 5)[:30]


@pytest.mark.parametrize("phone", ["13812345678", "021-62481234", "62481234", "+86 138 1234 5678", "(021)62481234"])
def test_mobile_and_landline_numbers_are_accepted(street, phone):
    case = street.new_case(citizen_phone=phone)
    assert case.citizen_phone == phone.replace(" ", "").replace("+86", "").replace("(", "").replace(")", "")


@pytest.mark.parametrize("phone", ["12345", "1381234567", "23812345678", "021-1234", "电话13812345678"])
def test_malformed_phone_numbers_are_refused(street, phone):
    error = refused_registration(street, citizen_phone=phone)
    assert "联系电话格式不正确" in error.message and error.details == {"field": "citizen_phone"}


def test_the_phone_number_is_optional(street):
    assert street.new_case(citizen_phone="").citizen_phone == ""


def test_content_is_required(street):
    assert refused_registration(street, content="   ").message == "请填写诉求内容"


def test_a_hotline_case_needs_its_hotline_number(street):
    error = refused_registration(street, source="hotline", hotline_number=" ")
    assert error.message == "12345热线工单须填写热线工单号"
    assert street.new_case(source="hotline", hotline_number=" 2609300001 ").hotline_number == "2609300001"


def test_a_top_level_category_is_refused(street):
    assert "小类" in refused_registration(street, category=ParentCategoryFactory()).message


def test_latitude_without_longitude_is_refused(street):
    assert refused_registration(street, latitude=Decimal("31.223"), longitude=None).message == "经纬度须同时填写"


def test_an_unknown_source_or_urgency_is_refused(street):
    assert refused_registration(street, source="fax").message == "来源不正确"
    assert refused_registration(street, urgency="very").message == "紧急程度不正确"


def test_a_title_over_120_characters_is_refused(street):
    assert "120" in refused_registration(street, title="标" * 121).message


@pytest.mark.parametrize("who", ["handler", "callback", "leader"])
def test_roles_outside_intake_cannot_register(street, who):
    with pytest.raises(PermissionDenied):
        street.new_case(actor=getattr(street, who))
    assert not Case.objects.exists()


def test_an_idempotency_key_returns_the_same_case_and_writes_one_event(street):
    first = street.new_case(idempotency_key="app-7f3a")
    retry = street.new_case(idempotency_key="app-7f3a", content="重试时内容不同也返回第一次的工单")
    assert retry.pk == first.pk and retry.content == first.content
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1
    assert IdempotencyKey.objects.get().case == first


def test_the_same_key_from_another_user_makes_another_case(street):
    mine = street.new_case(idempotency_key="k-1")
    theirs = street.new_case(actor=street.dispatcher, idempotency_key="k-1")
    assert mine.pk != theirs.pk and CaseEvent.objects.filter(action="register").count() == 2


def test_bulk_registration_registers_valid_rows_with_one_event_each_and_reports_the_rest(street):
    rows = [
        {"source": "hotline", "hotline_number": "H1", "title": "噪音", "content": "夜间施工噪音扰民",
         "address": "愚园路150弄"},
        {"source": "hotline", "hotline_number": "H2", "title": "", "content": "   "},
        {"source": "hotline", "hotline_number": "H3", "title": "漏水", "content": "楼上漏水", "citizen_phone": "123"},
        {"source": "hotline", "hotline_number": "H4", "title": "堆物", "content": "楼道堆物"},
    ]
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        cases, refused = services.case_register_bulk(actor=street.intake, rows=rows)
    assert [c.hotline_number for c in cases] == ["H1", "H4"]
    assert [c.number for c in cases] == ["JAS-2026-000001", "JAS-2026-000002"]
    assert [index for index, _ in refused] == [1, 2] and "联系电话" in refused[1][1]
    assert cases[0].neighbourhood_id == street.neighbourhood.pk and cases[1].neighbourhood_id is None
    stored = Case.objects.get(pk=cases[0].pk)
    assert stored.number == "JAS-2026-000001" and stored.estate is not None and stored.created_by == street.intake
    assert stored.state == "registered" and stored.version == 0 and stored.satisfaction == "" and not stored.is_overdue
    events = CaseEvent.objects.filter(action="register")
    assert sorted(e.case_id for e in events) == sorted(c.pk for c in cases)
    assert events.get(case_id=cases[0].pk).payload == {"source": "hotline", "place_found": True}
    assert events.get(case_id=cases[1].pk).actor == street.intake
    later = services.case_register(actor=street.intake, source="walk_in", title="t", content="c")
    assert later.pk > cases[1].pk   # the sequence moved past the ids the bulk insert reserved


def test_bulk_registration_refuses_roles_that_cannot_register(street):
    with pytest.raises(PermissionDenied):
        services.case_register_bulk(actor=street.handler, rows=[{"source": "hotline", "hotline_number": "H1",
                                                                 "title": "t", "content": "c"}])
    assert not Case.objects.exists()


def test_numbers_reserved_ahead_are_kept_by_the_bulk_write(street):
    from django.utils import timezone

    rows = [{"source": "hotline", "hotline_number": f"R{i}", "content": "楼道堆物", "title": "堆物",
             "registered_at": timezone.make_aware(datetime(year, 5, 1))} for i, year in enumerate((2025, 2026, 2026))]
    accepted, _ = services.case_values_bulk(actor=street.intake, rows=rows, gazetteer=Gazetteer.load())
    values = [v for _, v in accepted]
    services.case_numbers_reserve(actor=street.intake, accepted=values)
    reserved = [v["number"] for v in values]
    services.case_register_validated(actor=street.intake, accepted=values)
    assert list(Case.objects.order_by("hotline_number").values_list("number", flat=True)) == reserved
    assert [n.split("-")[-2] for n in reserved] == ["2025", "2026", "2026"]  # numbered by registration year
    assert reserved[2] > reserved[1]
    # The counter moved when the numbers were reserved: the next 受理 continues after them.
    assert street.new_case().number > reserved[2]


def test_only_roles_that_register_may_reserve_numbers(street):
    with pytest.raises(PermissionDenied):
        services.case_numbers_reserve(actor=street.handler, accepted=[])
