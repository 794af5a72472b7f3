"""Record linkage: the scorer's reasons, candidates waiting for a decision, decisions stored and reused."""

from datetime import date

import pytest

from registry import import_jobs, linkage
from registry.linkage import Index, Record
from registry.models import ChangeRecord, LinkCandidate, Person

from .importhelp import PERSON_HEADER, run, write_csv


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def rec(i, name, phone="", birth=None, key="", building="", room="", number=""):
    return Record(i, name, phone, "", birth, number, key, building, room)


def test_scorer_reasons_in_chinese():
    a = rec(1, "张建国", "13812341234", date(1950, 3, 8), "愚园路128弄3号501室", "愚园路|128|3", "501")
    b = rec(0, "张建囯", "13812341234", date(1950, 3, 8), "愚园路128弄3号", "愚园路|128|3", "")
    match = linkage.score(b, a)
    assert match.score >= linkage.THRESHOLD
    assert match.reasons[0].startswith("姓名相似(张建囯/张建国")
    assert {"电话相同", "出生日期相同", "同一门牌,一方缺室号"} <= set(match.reasons)


def test_different_id_numbers_are_never_candidates():
    a = rec(1, "张建国", "13812341234", date(1950, 3, 8), number="310106195003081234")
    b = rec(0, "张建国", "13812341234", date(1950, 3, 8), number="310106195003085678")
    assert linkage.score(b, a) is None


def test_a_name_alone_is_not_enough():
    a = rec(1, "王芳", "13800000001", date(1980, 1, 1), "愚园路1弄1号101室", "愚园路|1|1", "101")
    b = rec(0, "王芳", "13900000002", date(1990, 2, 2), "胶州路300弄1号101室", "胶州路|300|1", "101")
    assert linkage.score(b, a) is None or linkage.score(b, a).score < linkage.THRESHOLD


def test_a_pair_without_addresses_and_nothing_exact_is_not_a_candidate():
    # Name, phone and birth date on both sides, no address on either: no exact agreement, no pair (not a KeyError).
    a = rec(1, "王芳", "13800000001", date(1980, 1, 1))
    b = rec(0, "王芳", "13900000002", date(1980, 1, 2))
    assert linkage.score(b, a) is None


def test_family_members_are_not_candidates():
    # Same room, same landline, same surname, a sibling's name one character apart, different birth dates.
    a = rec(1, "张伟", "02162481234", date(1980, 1, 1), "愚园路1弄1号101室", "愚园路|1|1", "101")
    b = rec(0, "张玮", "02162481234", date(1983, 6, 1), "愚园路1弄1号101室", "愚园路|1|1", "101")
    match = linkage.score(b, a)
    assert match is None or match.score < linkage.THRESHOLD


def test_blocks_find_by_phone_birth_and_building():
    index = Index()
    target = rec(7, "李秀英", "13900001111", date(1952, 5, 1), "愚园路128弄3号501室", "愚园路|128|3", "501")
    index.add(target)
    for i in range(300):
        index.add(rec(100 + i, f"路人{i}", f"1370000{i:04d}", date(1960, 1, 1), "胶州路300弄1号101室", "胶州路|300|1"))
    row = rec(0, "李秀瑛", "", date(1952, 5, 1), "愚园路128弄3号", "愚园路|128|3", "")
    assert [m.record.id for m in index.candidates(row)] == [7]
    assert index.exact(rec(0, "李秀英", "13900001111")) == (target, "姓名和电话相同")


def police_rows():
    # The police's list: a variant character, full-width digits and 衖, no room, no ID number.
    return [["张建囯", "男", "1950-03-08", "", "13812341234", "愚园路128衖3号", "", "", "", "公安"]]


@pytest.fixture
def known(street, tmp_path, valid_id):
    rows = [["张建国", "男", "1950-03-08", valid_id("31010619500308123"), "13812341234", "愚园路128弄3号501室", "户籍",
             "户主", "", "居委"]]
    run(write_csv(tmp_path / "jw.csv", PERSON_HEADER, rows), user=street.dispatcher)
    return Person.objects.get(name="张建国")


def test_a_near_duplicate_waits_for_a_decision(street, tmp_path, known):
    result = run(write_csv(tmp_path / "gaj.csv", PERSON_HEADER, police_rows()), user=street.dispatcher)
    assert (result["created"], result["candidates"]) == (0, 1)
    candidate = LinkCandidate.objects.get()
    assert candidate.object_id == known.pk and candidate.decision == "pending"
    assert candidate.neighbourhood == street.neighbourhood
    assert "电话相同" in candidate.reasons


def test_same_person_decision_updates_and_is_reused(street, tmp_path, known):
    path = write_csv(tmp_path / "gaj.csv", PERSON_HEADER, police_rows())
    run(path, user=street.dispatcher)
    candidate = LinkCandidate.objects.get()
    import_jobs.candidate_decide(actor=street.dispatcher, candidate_id=candidate.pk, same=True)
    known.refresh_from_db()
    assert known.notes == "公安" and Person.objects.count() == 1
    assert known.memberships.get(ended_at__isnull=True).household.address_key == "愚园路128弄3号501室"  # not moved
    assert ChangeRecord.objects.filter(entity="person", object_id=known.pk, action="update", source="import").exists()
    again = run(path, user=street.dispatcher)
    assert (again["created"], again["candidates"], again["unchanged"]) == (0, 0, 1)
    assert LinkCandidate.objects.count() == 1


def test_different_person_decision_creates_and_is_reused(street, tmp_path, known):
    path = write_csv(tmp_path / "gaj.csv", PERSON_HEADER, police_rows())
    run(path, user=street.dispatcher)
    candidate = LinkCandidate.objects.get()
    decided = import_jobs.candidate_decide(actor=street.dispatcher, candidate_id=candidate.pk, same=False)
    created = Person.objects.get(pk=decided.result_id)
    assert created.name == "张建囯" and Person.objects.count() == 2
    again = run(path, user=street.dispatcher)
    assert (again["created"], again["candidates"]) == (0, 0)
    assert Person.objects.count() == 2


def test_pending_pair_is_asked_once(street, tmp_path, known):
    path = write_csv(tmp_path / "gaj.csv", PERSON_HEADER, police_rows())
    run(path, user=street.dispatcher)
    again = run(path, user=street.dispatcher)
    assert again["candidates"] == 1 and LinkCandidate.objects.count() == 1


def test_a_decided_pair_cannot_be_decided_again(street, tmp_path, known):
    from core.errors import Conflict, PermissionDenied

    run(write_csv(tmp_path / "gaj.csv", PERSON_HEADER, police_rows()), user=street.dispatcher)
    candidate = LinkCandidate.objects.get()
    with pytest.raises(PermissionDenied):
        import_jobs.candidate_decide(actor=street.cadre, candidate_id=candidate.pk, same=True)
    import_jobs.candidate_decide(actor=street.dispatcher, candidate_id=candidate.pk, same=True)
    with pytest.raises(Conflict, match="已由"):
        import_jobs.candidate_decide(actor=street.dispatcher, candidate_id=candidate.pk, same=False)


def test_near_duplicates_inside_one_file_become_candidates(street, tmp_path):
    rows = [["张建国", "男", "1950-03-08", "", "13812341234", "愚园路128弄3号501室", "", "", "", ""],
            ["张建囯", "男", "1950-03-08", "", "13812341234", "愚园路128弄3号", "", "", "", ""]]
    result = run(write_csv(tmp_path / "p.csv", PERSON_HEADER, rows), user=street.dispatcher)
    assert (result["created"], result["candidates"]) == (1, 1)
    assert LinkCandidate.objects.get().object_id == Person.objects.get().pk


def test_units_alike_at_one_door_wait_and_the_decision_is_reused(street, tmp_path):
    from org.models import AddressRange
    from org.tests.factories import AddressRangeFactory
    from registry.models import Unit

    AddressRangeFactory(estate=street.estate, road="愚园路", kind=AddressRange.KIND_NUMBER, first=100, last=168)
    header = ["单位名称", "统一社会信用代码", "类型", "地址", "经营者", "经营者电话", "单位电话", "经营状态", "备注"]
    run(write_csv(tmp_path / "jw.csv", header, [["老王面馆", "", "餐饮", "愚园路130号", "", "", "02162481234", "营业", ""]]),
        kind="units", user=street.dispatcher)
    market = write_csv(tmp_path / "sc.csv", header, [
        ["老王面馆(愚园路店)", "91310106MA1FL0XB8B", "餐饮", "愚园路130号", "王大厨", "13911112222", "02162481234", "", ""]])
    result = run(market, kind="units", user=street.dispatcher)
    assert (result["created"], result["candidates"]) == (0, 1)
    candidate = LinkCandidate.objects.get(entity="unit")
    assert "同一门牌" in candidate.reasons and "单位电话相同" in candidate.reasons
    page = import_jobs.candidate_pairs(street.dispatcher, [candidate], masker=import_jobs.RegistryMasker(street.dispatcher))
    assert page[0]["existing"]["name"] == "老王面馆" and page[0]["entity"] == "单位"
    import_jobs.candidate_decide(actor=street.dispatcher, candidate_id=candidate.pk, same=True)
    unit = Unit.objects.get()
    assert unit.name == "老王面馆" and unit.credit_code == "91310106MA1FL0XB8B" and unit.operator.name == "王大厨"
    # Next upload: the credit code now on the unit matches exactly (the code's registered name is taken); nobody is
    # asked again, and the upload after that changes nothing.
    again = run(market, kind="units", user=street.dispatcher)
    assert (again["created"], again["candidates"], again["updated"]) == (0, 0, 1)
    assert run(market, kind="units", user=street.dispatcher)["unchanged"] == 1
