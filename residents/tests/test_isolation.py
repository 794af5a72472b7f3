"""A resident sees only their own data: never another household or another person's cases, and no staff page."""

import pytest
from django.test import Client

from cases import services as cs
from registry import services as rs
from registry.models import CaseLink
from residents.sections import Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(resident, sms_outbox):
    client = Client()
    client.post("/report/code/", {"phone": "13812341234"})
    client.post("/me/signin/", {"phone": "13812341234", "code": sms_outbox.last_code("13812341234")})
    return client


@pytest.fixture
def neighbour(street, other_household):
    return rs.person_create(actor=street.dispatcher, name="王美丽", phone="13700001111", household=other_household,
                            relation="head")


def test_my_cases_by_link_and_by_phone_but_never_anothers(street, resident, neighbour, signed_in):
    mine_by_phone = street.new_case()  # the street fixture's cases are reported with 13812341234
    theirs = street.new_case(citizen_phone="13700001111", citizen_name="王美丽")
    linked = street.new_case(citizen_phone="02162480000", citizen_name="张先生")
    rs.case_link_decide(actor=street.dispatcher, case=linked, person=resident, linked=True)
    # Reported with the resident's phone but confirmed as the neighbour's: not the resident's.
    borrowed = street.new_case()
    rs.case_link_decide(actor=street.dispatcher, case=borrowed, person=neighbour, linked=True)
    cs.case_dispatch(actor=street.dispatcher, case=mine_by_phone, lead_department=street.department)
    page = signed_in.get("/me/").content.decode()
    assert mine_by_phone.number in page and linked.number in page
    assert theirs.number not in page and borrowed.number not in page
    assert "王美丽" not in page and "康定路900弄" not in page
    assert CaseLink.objects.count() == 2


def test_other_members_are_masked_and_the_own_id_keeps_its_ends(street, resident, household, signed_in):
    rs.person_create(actor=street.dispatcher, name="张小明", household=household, relation="child")
    page = signed_in.get("/me/").content.decode()
    assert "张**" in page and "张小明" not in page
    assert resident.id_number not in page and resident.id_number[-4:] in page


def test_the_staffs_labels_about_a_person_are_not_shown_to_that_person(street, resident, signed_in):
    rs.person_tags_set(actor=street.dispatcher, person=resident, tags=["重点关注", "低保/困难家庭"])
    page = signed_in.get("/me/").content.decode()
    assert "重点关注" not in page and "低保" not in page and "标签" not in page


@pytest.mark.parametrize("path", ["/", "/cases/", "/privacy/citizen/", "/audit/", "/dashboard/", "/hotline/"])
def test_a_resident_session_reaches_no_staff_page(signed_in, path):
    response = signed_in.get(path)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_api_sees_no_user(signed_in):
    assert signed_in.get("/api/cases").status_code == 401


def ok_section(request, person):
    return Section("hours", "我的时长和积分", "residents/tests/_section.html", {"hours": 12})


def broken_section(request, person):
    raise RuntimeError("bug in a programme")


def test_sections_hook_adds_a_programmes_section_and_survives_a_broken_one(signed_in, settings, tmp_path):
    (tmp_path / "residents" / "tests").mkdir(parents=True)
    (tmp_path / "residents" / "tests" / "_section.html").write_text("<p id='hours'>已服务 {{ section.hours }} 小时</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    settings.RESIDENT_PAGE_SECTIONS = [*settings.RESIDENT_PAGE_SECTIONS, "residents.tests.test_isolation.broken_section",
                                       "residents.tests.test_isolation.ok_section"]
    page = signed_in.get("/me/").content.decode()
    assert "我的时长和积分" in page and "已服务 12 小时" in page and "我的家庭" in page


def test_capacities_show_on_the_page(street, resident, signed_in):
    rs.capacity_grant(actor=street.dispatcher, person=resident, kind="volunteer", neighbourhood=street.neighbourhood)
    rs.capacity_grant(actor=street.dispatcher, person=resident, kind="building_leader")
    page = signed_in.get("/me/").content.decode()
    assert "我的身份" in page and "志愿者" in page and "楼组长" in page


def test_a_staff_login_in_the_same_browser_ends_the_resident_sign_in(street, signed_in):
    from org.tests.factories import PASSWORD

    assert signed_in.get("/me/").status_code == 200
    signed_in.post("/login/", {"username": street.intake.username, "password": PASSWORD})
    assert signed_in.get("/me/")["Location"] == "/me/signin/"
