"""Scope and masking of registry reads: the same roles see personal data as on cases; identifier search audited."""

from audit.models import AuditEntry
from registry import selectors
from registry.policy import RegistryMasker


def test_scope_per_role(street, resident, other_household):
    from registry import services

    other = services.person_create(actor=street.dispatcher, name="钱多多", household=other_household)
    assert set(selectors.persons(street.dispatcher)) == {resident, other}
    assert list(selectors.persons(street.cadre)) == [resident]
    assert list(selectors.persons(street.grid_user)) == [resident]
    assert list(selectors.persons(street.other_grid_user)) == []
    assert list(selectors.persons(street.handler)) == []
    assert list(selectors.persons(street.auditor)) == []


def test_masked_roles_see_every_field_masked(street, resident):
    card = selectors.person_card(street.cadre, resident, masker=RegistryMasker(street.cadre))
    assert card["name"] == "张**" and card["phone"] == "138****1234"
    assert card["id_number"].startswith("310106********") and card["birth_date"] == "1950年"
    assert "13987654321" not in card["notes"]
    clear = selectors.person_card(street.dispatcher, resident, masker=RegistryMasker(street.dispatcher))
    assert clear["name"] == "张建国" and clear["phone"] == "13812341234"


def test_timeline_is_masked_like_the_record(street, resident):
    masker = RegistryMasker(street.leader)
    rows = selectors.timeline(street.leader, entity="person", object_id=resident.pk, masker=masker,
                              names=(resident.name,), phones=(resident.phone,))
    text = str(rows)
    assert "张建国" not in text and "13812341234" not in text and "501" not in text


def test_identifier_search_only_for_roles_that_need_it_and_audited(street, resident):
    assert list(selectors.persons(street.dispatcher, q="13812341234")) == [resident]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.VIEW_PERSONAL_DATA, object_type="registry.person")
    assert entry.detail["search"] == "138****1234" and entry.detail["found"] == 1
    assert list(selectors.persons(street.cadre, q=resident.id_number)) == [resident]
    search = selectors.Search()
    assert list(selectors.persons(street.leader, q="13812341234", search=search)) == []
    assert "不能按电话" in search.refused
    # Names are masked for the leader: a name search finds nothing and says why (it could confirm who lives where).
    search = selectors.Search()
    assert list(selectors.persons(street.leader, q="张建国", search=search)) == []
    assert "不能按姓名查找" in search.refused
    # The 居委干部's lookups need names: found, masked, and the search is audited with the name masked.
    assert list(selectors.persons(street.cadre, q="张建国")) == [resident]
    entry = AuditEntry.objects.filter(actor=street.cadre, object_type="registry.person").latest("pk")
    assert entry.detail == {"search": "张**", "found": 1, "purpose": "按姓名查找"}
    assert list(selectors.persons(street.leader, q="愚园路")) == [resident]  # the road, as on cases


def test_household_search_by_house_number_is_refused_for_masked_roles(street, household):
    search = selectors.Search()
    found = list(selectors.households(street.leader, q="愚园路128弄3号501室", search=search))
    assert found == [household] and "门牌号" in search.refused
    assert list(selectors.households(street.dispatcher, q="愚园路128弄3号501室")) == [household]
    assert list(selectors.households(street.dispatcher, q="愚园路128弄4号")) == []
