import pytest

from core.errors import PermissionDenied, ValidationFailed
from minqing.models import NeedCategory, NeedEvent, NeedSource
from minqing.services.needs import need_create
from registry import services as registry_services


@pytest.fixture
def category(db):
    return NeedCategory.objects.get_or_create(name="加装电梯")[0]


def _household(street, address="愚园路120弄3号201室"):
    return registry_services.household_create(actor=street.dispatcher, address=address, neighbourhood=street.neighbourhood)


def test_a_cadre_registers_a_need_of_a_household_in_its_area(street, category):
    household = _household(street)
    need = need_create(actor=street.cadre, category=category, text="老人上下楼困难,希望加装电梯", source=NeedSource.VISIT,
                       household=household)
    assert need.neighbourhood_id == street.neighbourhood.pk and need.status == "open"
    event = NeedEvent.objects.get(need=need)
    assert (event.action, event.actor_id) == ("create", street.cadre.pk)


def test_bad_input_changes_nothing(street, category):
    household = _household(street)
    for kwargs, message in [
        ({"text": "  "}, "请填写需求内容"),
        ({"text": "x" * 2001}, "不能超过"),
        ({"text": "ok", "urgency": "bad"}, "紧急程度"),
        ({"text": "ok", "source": "bad"}, "来源"),
    ]:
        fields = {"actor": street.cadre, "category": category, "source": NeedSource.VISIT, "household": household,
                  **kwargs}
        with pytest.raises(ValidationFailed, match=message):
            need_create(**fields)
    assert not NeedEvent.objects.exists()


def test_outside_the_area_or_role_is_refused(street, category):
    other = registry_services.household_create(actor=street.dispatcher, address="新码路5号101室",
                                               neighbourhood=street.other_neighbourhood)
    with pytest.raises(PermissionDenied, match="不在您负责的区域内"):
        need_create(actor=street.cadre, category=category, text="需求", source=NeedSource.VISIT, household=other)
    with pytest.raises(PermissionDenied):
        need_create(actor=street.handler, category=category, text="需求", source=NeedSource.VISIT, household=other)
