import pytest

from core.errors import Conflict, PermissionDenied, ValidationFailed
from minsheng.models import Theme, ThemeEvent, ThemeMember
from minsheng.services import themes as services
from minsheng.tests import factories


@pytest.fixture
def two(street):
    a = factories.theme_with_needs(street, "加装电梯", ["老楼想加装电梯", "加装电梯意见征询没有结果", "老人爬楼吃力"])
    b = factories.theme_with_needs(street, "停车难", ["小区停车位太少", "外来车辆占用车位"])
    return a, b


def _snapshot():
    return (list(Theme.objects.order_by("pk").values()), list(ThemeMember.objects.order_by("pk").values()),
            ThemeEvent.objects.count())


def test_rename_keeps_the_name_as_a_person_gave_it(street, two):
    a, _ = two
    theme = services.theme_rename(actor=street.leader, theme_id=a.pk, name="老旧小区加装电梯", summary="多层住宅")
    assert (theme.name, theme.named_by_person, theme.summary) == ("老旧小区加装电梯", True, "多层住宅")
    event = ThemeEvent.objects.get(theme=a, action="rename")
    assert event.actor == street.leader and event.payload["before"]["name"] == "加装电梯"


def test_merge_moves_the_members_and_marks_the_merged_one(street, two):
    a, b = two
    into = services.theme_merge(actor=street.dispatcher, theme_id=b.pk, into_id=a.pk)
    b.refresh_from_db()
    assert b.status == Theme.Status.MERGED and b.merged_into == a
    assert into.member_count == 5 and ThemeMember.objects.filter(theme=a, placed_by_person=True).count() == 2
    assert set(ThemeEvent.objects.values_list("action", flat=True)) == {"merge", "merged_in"}


def test_split_makes_a_new_theme_of_the_ticked_members(street, two):
    a, _ = two
    ticked = list(a.members.values_list("pk", flat=True)[:1])
    new = services.theme_split(actor=street.leader, theme_id=a.pk, member_ids=ticked, name="老人爬楼")
    a.refresh_from_db()
    assert (new.member_count, a.member_count, new.named_by_person) == (1, 2, True)
    assert ThemeEvent.objects.filter(theme=new, action="split_from").exists()


def test_pin_unpin_and_hide(street, two):
    a, b = two
    assert services.theme_pin(actor=street.leader, theme_id=a.pk).is_pinned
    assert not services.theme_unpin(actor=street.leader, theme_id=a.pk).is_pinned
    assert services.theme_hide(actor=street.leader, theme_id=b.pk, reason="测试数据").status == Theme.Status.HIDDEN
    assert list(ThemeEvent.objects.values_list("action", flat=True)) == ["pin", "unpin", "hide"]


def test_moving_members_places_them_by_a_person(street, two):
    a, b = two
    moved = list(a.members.values_list("pk", flat=True)[:2])
    target = services.theme_member_move(actor=street.leader, theme_id=a.pk, member_ids=moved, to_id=b.pk)
    assert target.member_count == 4
    assert ThemeMember.objects.filter(pk__in=moved, theme=b, placed_by_person=True).count() == 2


def test_counts_are_households_and_a_recency_weighted_score(street):
    from registry import services as registry_services

    household = registry_services.household_create(actor=street.dispatcher, address="愚园路120弄3号201室")
    theme = factories.theme("飞线充电")
    for text in ("楼道飞线充电", "电瓶车飞线充电"):
        factories.member(theme, factories.need(street, text, household=household))
    services.theme_counts_refresh([theme.pk])
    theme.refresh_from_db()
    assert (theme.member_count, theme.household_count) == (2, 1) and theme.score > 1


def test_bad_input_changes_nothing(street, two):
    a, b = two
    before = _snapshot()
    other_members = list(b.members.values_list("pk", flat=True))
    everything = list(a.members.values_list("pk", flat=True))
    for call, error, message in [
        (lambda: services.theme_rename(actor=street.leader, theme_id=a.pk, name="  "), ValidationFailed, "请填写"),
        (lambda: services.theme_rename(actor=street.leader, theme_id=a.pk, name="名" * 61), ValidationFailed, "60"),
        (lambda: services.theme_merge(actor=street.leader, theme_id=a.pk, into_id=a.pk), ValidationFailed, "另一个"),
        (lambda: services.theme_split(actor=street.leader, theme_id=a.pk, member_ids=[], name="x"),
         ValidationFailed, "至少一条"),
        (lambda: services.theme_split(actor=street.leader, theme_id=a.pk, member_ids=everything, name="x"),
         ValidationFailed, "留下"),
        (lambda: services.theme_split(actor=street.leader, theme_id=a.pk, member_ids=other_members, name="x"),
         ValidationFailed, "不属于"),
        (lambda: services.theme_member_move(actor=street.leader, theme_id=a.pk, member_ids=["x"], to_id=b.pk),
         ValidationFailed, "不正确"),
        (lambda: services.theme_unpin(actor=street.leader, theme_id=a.pk), Conflict, "未置顶"),
        (lambda: services.theme_rename(actor=street.cadre, theme_id=a.pk, name="x"), PermissionDenied, "角色"),
    ]:
        with pytest.raises(error, match=message):
            call()
    assert _snapshot() == before


def test_a_merged_theme_cannot_be_edited(street, two):
    a, b = two
    services.theme_merge(actor=street.leader, theme_id=b.pk, into_id=a.pk)
    with pytest.raises(Conflict, match="已合并"):
        services.theme_rename(actor=street.leader, theme_id=b.pk, name="又改名")
