import pytest

from registry import services


def _valid_id(body17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights, strict=True)) % 11]
    return body17 + check


@pytest.fixture
def valid_id():
    return _valid_id


@pytest.fixture
def household(street):
    """愚园路128弄3号501室 in 金坛居民区 (the street fixture's 愚园小区), registered by the dispatcher."""
    return services.household_create(actor=street.dispatcher, address="上海市静安区愚园路128弄3号501室",
                                     housing="owner")


@pytest.fixture
def other_household(street):
    """A household in the other 居民区 (新码), placed by hand since the gazetteer has no range there."""
    return services.household_create(actor=street.dispatcher, address="康定路900弄2号101室", housing="rented",
                                     tenant_count=3, neighbourhood=street.other_neighbourhood)


@pytest.fixture
def resident(street, household, valid_id):
    return services.person_create(actor=street.dispatcher, name="张建国", id_number=valid_id("31010619500308123"),
                                  phone="13812341234", residence="hukou", household=household, relation="head",
                                  notes="独居,女儿电话13987654321", tags=["独居老人"])
