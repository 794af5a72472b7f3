"""Personal data of the 诉求人: unmasked (and audited) for roles whose work needs it, masked for everyone else."""

import pytest

from audit.models import AuditEntry
from cases import policy, selectors
from cases.selectors import CaseFilters

pytestmark = pytest.mark.django_db

CONTENT = "张建国(13812341234,家里电话62481234)反映愚园路128弄3号402室楼道堆物。"


@pytest.fixture
def case(street):
    return street.new_case(title="张建国反映愚园路128弄堆物", content=CONTENT, citizen_name="张建国",
                           citizen_phone="13812341234", address="愚园路128弄3号")


def views_of_personal_data():
    return AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL_DATA)


def test_the_leader_sees_personal_data_masked_and_nothing_is_audited(street, case):
    data = selectors.case_personal_data(street.leader, case)
    assert data.masked
    assert (data.citizen_name, data.citizen_phone, data.address) == ("张**", "138****1234", "愚园路xx弄x号")
    assert data.title == "张**反映愚园路xx弄堆物"
    assert data.content == "张**(138****1234,家里电话****)反映愚园路xx弄x号xx室楼道堆物。"
    assert not views_of_personal_data().exists()


def test_the_handler_sees_personal_data_and_the_view_is_audited(street):
    case = street.dispatched_case(content=CONTENT)
    data = selectors.case_personal_data(street.handler, case)
    assert not data.masked
    assert (data.citizen_name, data.citizen_phone, data.address, data.content) == (
        "张建国", "13812341234", "愚园路128弄3号", CONTENT)
    entry = views_of_personal_data().get()
    assert (entry.actor, entry.username, entry.object_type, entry.object_id) == (
        street.handler, "t_handler", "case", case.number)


@pytest.mark.parametrize("who", ["intake", "dispatcher", "callback"])
def test_centre_roles_see_personal_data_and_are_audited(street, case, who):
    user = getattr(street, who)
    assert selectors.case_personal_data(user, case).citizen_phone == "13812341234"
    assert views_of_personal_data().get().actor == user


@pytest.mark.parametrize("who", ["leader", "grid_user", "cadre", "admin"])
def test_roles_without_need_see_masked_data(street, case, who):
    data = selectors.case_personal_data(getattr(street, who), case)
    assert data.masked and "13812341234" not in f"{data}" and "张建国" not in f"{data}"
    assert not views_of_personal_data().exists()


def test_a_case_without_citizen_data_writes_no_audit_entry(street):
    anonymous = street.new_case(citizen_name="", citizen_phone="")
    assert not selectors.case_personal_data(street.dispatcher, anonymous).masked
    assert not views_of_personal_data().exists()


def test_every_unmasked_view_is_audited_again(street, case):
    for _ in range(3):
        selectors.case_personal_data(street.callback, case)
    assert views_of_personal_data().count() == 3


def test_list_titles_are_masked_for_the_leader_only(street, case):
    assert selectors.case_title_for(street.leader, case) == "张**反映愚园路xx弄堆物"
    assert selectors.case_title_for(street.dispatcher, case) == case.title


def test_the_phone_cannot_be_probed_through_search_by_roles_that_see_it_masked(street, case):
    by_phone = CaseFilters(q="13812341234")
    assert list(selectors.case_list(street.dispatcher, by_phone)) == [case]
    other = street.new_case(content="路灯不亮", citizen_phone="13900001111")
    assert list(selectors.case_list(street.leader, CaseFilters(q="13900001111"))) == []
    assert list(selectors.case_list(street.dispatcher, CaseFilters(q="13900001111"))) == [other]


@pytest.mark.parametrize(("phone", "masked"), [
    ("13812345678", "138****5678"),
    ("021-62481234", "021****1234"),
    ("62481234", "****1234"),
    ("6248123", "****8123"),
    ("12345", "****"),
    ("", ""),
])
def test_phones_are_masked_without_revealing_a_local_number(phone, masked):
    assert policy.mask_phone(phone) == masked


def test_names_and_addresses_are_masked():
    assert [policy.mask_name(n) for n in ("张建国", "李四", "王", "")] == ["张**", "李*", "王*", ""]
    assert policy.mask_address("静安区愚园路1088弄12号") == "静安区愚园路xx弄xx号"
    assert policy.mask_text("") == ""


def test_timeline_notes_and_the_handling_result_are_masked_for_the_leader(client, street):
    from cases import services

    case = street.handling_case()
    services.case_add_progress(actor=street.handler, case=case, note="已与张建国通话(13812341234),约定上门")
    services.case_finish(actor=street.handler, case=case, result="已到愚园路128弄3号清理,张建国表示满意")
    client.force_login(street.leader)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "13812341234" not in page and "张建国" not in page and "128弄3号" not in page
    assert "138****1234" in page and "愚园路xx弄x号清理" in page
    notes = [e["note"] for e in client.get(f"/api/cases/{case.pk}/events").json()]
    assert "已与张**通话(138****1234),约定上门" in notes
    # The stored history is untouched.
    assert case.events.filter(note__contains="13812341234").exists()


def test_the_handler_reads_the_timeline_as_written(client, street):
    from cases import services

    case = street.handling_case()
    services.case_add_progress(actor=street.handler, case=case, note="已与张建国通话(13812341234)")
    client.force_login(street.handler)
    assert "已与张建国通话(13812341234)" in client.get(f"/cases/{case.pk}/").content.decode()
