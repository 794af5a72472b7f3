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


def test_a_need_raised_after_16_utc_is_dated_by_the_streets_day(street, category, client):
    """17:30 UTC on 10 March is 01:30 on 11 March in Shanghai: the need is of the 11th, which is not in the future."""
    from datetime import UTC, date, datetime

    from core import clock

    household = _household(street)
    with clock.frozen_at(datetime(2026, 3, 10, 17, 30, tzinfo=UTC)):
        need = need_create(actor=street.cadre, category=category, text="夜里楼道灯不亮", source=NeedSource.VISIT,
                           household=household)
        typed = need_create(actor=street.cadre, category=category, text="楼道灯", source=NeedSource.VISIT,
                            household=household, raised_on=date(2026, 3, 11))
        with pytest.raises(ValidationFailed, match="不能晚于今天"):
            need_create(actor=street.cadre, category=category, text="楼道灯", source=NeedSource.VISIT,
                        household=household, raised_on=date(2026, 3, 12))
        client.force_login(street.cadre)
        form = client.get("/minqing/needs/new/").content.decode()
    assert need.raised_on == typed.raised_on == date(2026, 3, 11)
    assert 'max="2026-03-11"' in form
