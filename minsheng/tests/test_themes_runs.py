from datetime import date

import pytest

from core.errors import Conflict, PermissionDenied, ValidationFailed
from minsheng.clustering import Params
from minsheng.models import Theme, ThemeEvent, ThemeMember, ThemeRun
from minsheng.services import theme_runs, themes
from minsheng.tests import factories

ELEVATOR = ["老楼想加装电梯老人爬楼吃力", "加装电梯意见征询迟迟没有结果", "多层住宅加装电梯费用分摊", "希望加装电梯方便老人",
            "加装电梯低层住户不同意", "加装电梯方案进展"]
PARKING = ["小区停车位太少晚上没地方停车", "停车位紧张外来车辆占用车位", "停车费上涨停车位不够", "晚上停车难车位被占",
           "停车位分配不公平", "外来车辆乱停占车位"]
PARAMS = Params(workers=1, min_clusters=2, records_per_cluster=6, min_theme_size=2)


@pytest.fixture
def needs(street):
    made = [factories.need(street, t, category="加装电梯") for t in ELEVATOR]
    made += [factories.need(street, t, category="停车管理") for t in PARKING]
    return made


def _run(street, **kwargs):
    run = theme_runs.theme_run_start(actor=street.leader, period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
                                     launch=False)
    return theme_runs.theme_run_execute(run.pk, params=PARAMS)


def _theme_of(need):
    return ThemeMember.objects.get(need=need).theme


def test_a_run_groups_the_period_into_themes(street, needs):
    run = _run(street)
    assert (run.status, run.records) == (ThemeRun.Status.DONE, 12), run.error
    assert _theme_of(needs[0]) == _theme_of(needs[3]) != _theme_of(needs[7])
    assert ThemeEvent.objects.filter(action="regroup").count() == run.themes


def test_names_people_gave_and_members_they_placed_survive_a_rerun(street, needs):
    _run(street)
    elevator, parking = _theme_of(needs[0]), _theme_of(needs[6])
    themes.theme_rename(actor=street.leader, theme_id=elevator.pk, name="老旧小区加装电梯")
    odd = ThemeMember.objects.get(need=needs[7])
    themes.theme_member_move(actor=street.leader, theme_id=parking.pk, member_ids=[odd.pk], to_id=elevator.pk)
    _run(street)
    elevator.refresh_from_db()
    assert elevator.name == "老旧小区加装电梯" and elevator.status == Theme.Status.ACTIVE
    assert _theme_of(needs[0]) == elevator and _theme_of(needs[7]) == elevator  # the person's move is kept


def test_a_pinned_theme_keeps_all_its_members(street, needs):
    _run(street)
    elevator = _theme_of(needs[0])
    themes.theme_pin(actor=street.leader, theme_id=elevator.pk)
    members = set(elevator.members.values_list("pk", flat=True))
    _run(street)
    assert members <= set(ThemeMember.objects.filter(theme=elevator).values_list("pk", flat=True))


def test_start_is_refused_for_bad_periods_other_roles_and_a_second_run(street, needs):
    with pytest.raises(ValidationFailed, match="早于"):
        theme_runs.theme_run_start(actor=street.leader, period_start=date(2026, 2, 1), period_end=date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        theme_runs.theme_run_start(actor=street.cadre, period_start=date(2026, 1, 1), period_end=date(2026, 2, 1))
    theme_runs.theme_run_start(actor=street.leader, period_start=date(2026, 1, 1), period_end=date(2026, 2, 1),
                               launch=False)
    with pytest.raises(Conflict, match="正在进行"):
        theme_runs.theme_run_start(actor=street.leader, period_start=date(2026, 1, 1), period_end=date(2026, 2, 1))
