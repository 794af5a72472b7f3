"""The demo 社区底册: realistic counts, valid identifiers, linked cases, the resident login, the two source lists."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from stdnum.cn import ric, uscc

from cases.models import Case
from core.tabular import read_rows
from demo.registry import DEMO_RESIDENT_PHONE, credit_code, id_number, organisation_code
from demo.registry_sources import registry_source_files
from demo.services import demo_load
from registry.addresses import parse_address
from registry.models import Capacity, CaseLink, ChangeRecord, Household, Membership, Person, Unit
from registry.validation import birth_date_from_id

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        result = demo_load(seed=11, cases=150, now=NOW)
    yield result["registry"]
    with django_db_blocker.unblock():
        call_command("flush", "--noinput")


def test_identifier_helpers_are_valid():
    from datetime import date

    assert ric.is_valid(id_number("310106", date(1950, 3, 8), 123, True))
    assert uscc.is_valid(credit_code(12345678)) and uscc.is_valid(credit_code(87654321, individual=True))
    assert organisation_code(0) == "000000000"[:8] + "0" and len(organisation_code(12345678)) == 9


def test_the_registry_is_the_size_of_the_street(loaded):
    assert loaded["households"] == Household.objects.count() == 8000
    assert 18000 <= Person.objects.count() <= 22000
    assert Unit.objects.count() == 300
    housing = dict(Household.objects.values_list("housing").annotate(n=Count("pk")))
    assert housing["owner"] > 4000 and housing["rented"] > 1500 and housing["vacant"] > 400
    assert Household.objects.filter(crowded_rental=True, tenant_count__gte=6).count() > 20
    assert Household.objects.values("estate").distinct().count() == 40
    assert Person.objects.filter(tags__name="独居老人").count() > 300
    assert Person.objects.filter(tags__name="高龄").count() > 100
    assert not Household.objects.filter(estate__isnull=True).exists()
    assert not Household.objects.filter(memberships__isnull=True, housing="owner").exists()
    assert Membership.objects.filter(ended_at__isnull=False).count() > 100  # moved out: history


def test_identifiers_are_valid_and_match_the_birth_date(loaded):
    for number, birth in Person.objects.values_list("id_number", "birth_date"):
        assert ric.is_valid(number) and birth_date_from_id(number) == birth, number
    codes = list(Unit.objects.exclude(credit_code="").values_list("credit_code", flat=True))
    assert len(codes) > 250 and all(uscc.is_valid(c) for c in codes)
    for address, key in Household.objects.values_list("address", "address_key")[:500]:
        assert parse_address(address).key == key


def test_capacities_change_records_and_case_links(loaded):
    kinds = dict(Capacity.objects.values_list("kind").annotate(n=Count("pk")))
    assert kinds["volunteer"] > 300 and kinds["building_leader"] > 100 and kinds["unit_operator"] > 200
    # Every demo person has its 导入 record; the persons the two source lists added have their 登记 record (import).
    from_sources = sum(counts["created"] for counts in loaded["sources"].values())
    assert from_sources > 0
    assert ChangeRecord.objects.filter(entity="person", action="import").count() == Person.objects.count() - from_sources
    assert ChangeRecord.objects.filter(entity="person", action="create", source="import").count() == from_sources
    assert sum(counts["candidates"] for counts in loaded["sources"].values()) > 0  # linkage has pairs to show
    links = CaseLink.objects.select_related("case", "person")
    assert links.count() >= 3
    for link in links:
        assert link.case.citizen_phone == link.person.phone and link.decision == "linked"
    assert CaseLink.objects.values("case").distinct().count() == links.count()


def test_the_demo_resident_signs_in_on_me(loaded, settings):
    settings.SMS_BACKEND = "selfreport.tests.outbox.OutboxSms"
    settings.RATE_LIMIT_ENABLED = False
    from selfreport.tests import outbox

    [person] = Person.objects.filter(phone=DEMO_RESIDENT_PHONE)
    assert Membership.objects.filter(household__memberships__person=person, ended_at__isnull=True).count() >= 3
    client = Client()
    client.post("/report/code/", {"phone": DEMO_RESIDENT_PHONE})
    response = client.post("/me/signin/", {"phone": DEMO_RESIDENT_PHONE, "code": outbox.last_code(DEMO_RESIDENT_PHONE)})
    assert response["Location"] == "/me/"
    page = client.get("/me/").content.decode()
    assert person.name in page and "楼组长" in page and "志愿者" in page
    for number in Case.objects.filter(citizen_phone=DEMO_RESIDENT_PHONE).values_list("number", flat=True):
        assert number in page


def test_the_two_source_lists_disagree_like_real_ones(loaded, tmp_path):
    police, committee = registry_source_files(tmp_path)
    assert police.name == "registry_police.csv" and committee.name == "registry_committee.xlsx"
    police_header, police_rows = read_rows(police)
    police_rows = [row for _, row in police_rows]
    committee_header, committee_rows = read_rows(committee)
    committee_rows = [row for _, row in committee_rows]
    assert 140 <= len(police_rows) <= 160 and 140 <= len(committee_rows) <= 160
    assert committee_header == ["姓名", "性别", "出生日期", "身份证号", "联系电话", "居住地址", "人员类型"]
    addresses = [r["实际居住地址"] for r in police_rows] + [r["居住地址"] for r in committee_rows]
    assert any("衖" in a for a in addresses) and any("１" in a or "２" in a for a in addresses)
    assert any(a.startswith("上海市静安区") for a in addresses) and any(a.endswith("号") for a in addresses)
    truth = json.loads((tmp_path / "registry_sources_truth.json").read_text())
    known = {r["person"] for r in truth["registry_police.csv"]} & {r["person"] for r in truth["registry_committee.xlsx"]}
    assert len(known - {None}) >= 40  # the same persons in both lists
    near = [r for r in truth["registry_committee.xlsx"] if r["near_duplicate"]]
    names = {p.pk: p.name for p in Person.objects.filter(pk__in=[r["person"] for r in near])}
    typos = sum(1 for r in near if committee_rows[r["line"] - 2]["姓名"] != names[r["person"]])
    assert typos >= 5
    persons_in_file = [r["person"] for r in truth["registry_committee.xlsx"] if r["person"]]
    assert len(persons_in_file) > len(set(persons_in_file))  # a duplicate inside one file
    assert registry_source_files(tmp_path / "again")[0].read_bytes() == police.read_bytes()  # deterministic
