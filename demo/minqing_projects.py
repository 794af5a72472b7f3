"""Demo 十大民生: last year's ten projects (2025) at various stages — done, in progress, delayed — and this year's
(2026) with milestones, linked to the demo needs that exist (by theme when the themes demo ran, else by category),
回音 sent for the completed milestones and some callbacks recorded. Runs after the needs (and themes) demo; with no
needs it links none. Skips when 2025's projects exist."""

from __future__ import annotations

import random
from datetime import date

from core import clock
from minqing.models import Need
from minsheng.models import Echo, Project, ProjectStatus, Theme
from minsheng.services import echo as echo_services
from minsheng.services import projects as services
from org.models import Department, Role, User

NEEDS_PER_PROJECT = 40
# (title, category word the needs are matched on, budget 万元, public summary)
PROJECTS = [
    ("老旧小区加装电梯", "电梯", 860, "为老旧多层住宅加装电梯,方便老人出行"),
    ("社区食堂和助餐点建设", "助餐", 320, "新建社区食堂1处、助餐点3处"),
    ("非机动车充电桩建设", "充电", 150, "增设电动自行车集中充电设施,消除楼道充电隐患"),
    ("小区停车位挖潜", "停车", 210, "挖潜增设停车位,错峰共享停车"),
    ("雨污分流与积水点改造", "积水", 540, "改造易积水路段和小区排水"),
    ("适老化改造", "适老", 180, "为困难老人家庭实施居家适老化改造"),
    ("口袋公园与健身步道", "绿化", 260, "新建口袋公园2处、健身步道1条"),
    ("菜场标准化改造", "菜场", 300, "改造社区菜场,规范经营"),
    ("楼道照明和监控更新", "照明", 90, "更新楼道照明和公共区域监控"),
    ("社区托育点建设", "托育", 120, "建设普惠性社区托育点"),
]
STAGES_2025 = ["done"] * 6 + ["in_progress"] * 2 + ["delayed"] * 2


def _theme_for(word: str, themes: list[Theme], taken: set[int]) -> Theme | None:
    """The ranked theme that is about this project: the most of its needs say the project's word (a project on 加装电梯
    must not answer a theme of 漏水 because the two ranked alike)."""
    from django.db.models import Count, Q

    from minsheng.models import ThemeMember

    counts = dict(ThemeMember.objects.filter(theme__in=[t.pk for t in themes if t.pk not in taken])
                  .values_list("theme_id").annotate(n=Count("pk", filter=Q(need__text__contains=word)))
                  .values_list("theme_id", "n"))
    best = max((t for t in themes if counts.get(t.pk)), key=lambda t: counts[t.pk], default=None)
    return best


def _needs_for(word: str, theme: Theme | None, used: set[int]) -> list[Need]:
    qs = Need.objects.filter(household__isnull=False).exclude(pk__in=used)
    if theme is not None:
        from minsheng.models import ThemeMember

        ids = ThemeMember.objects.filter(theme=theme, need__isnull=False).values("need_id")
        picked = list(qs.filter(pk__in=ids)[:NEEDS_PER_PROJECT])
        if picked:
            return picked
    return list(qs.filter(text__contains=word)[:NEEDS_PER_PROJECT]) or \
        list(qs.filter(category__name__contains=word)[:NEEDS_PER_PROJECT])


def load_projects(*, seed: int = 2026, today: date | None = None, stdout=None) -> dict:
    """Creates the demo projects of 2025 and 2026; returns counts. Idempotent: skips if 2025 already has projects."""
    if Project.objects.filter(year=2025).exists():
        return {"skipped": True, "projects": Project.objects.count()}
    rng = random.Random(seed)
    today = today or clock.today()
    leader = User.objects.filter(role=Role.LEADER, is_active=True).first() or \
        User.objects.filter(role=Role.ADMIN).first()
    caller = User.objects.filter(role=Role.CALLBACK, is_active=True).first() or leader
    departments = list(Department.objects.order_by("pk"))
    if leader is None or not departments:
        return {"skipped": True, "projects": 0, "reason": "no leader or department"}
    themes = list(Theme.objects.filter(status=Theme.Status.ACTIVE).order_by("-is_pinned", "-score", "pk")[:40])
    used: set[int] = set()
    taken: set[int] = set()
    made = echoes = callbacks = 0
    for year in (2025, 2026):
        for index, (title, word, budget, summary) in enumerate(PROJECTS):
            theme = _theme_for(word, themes, taken)
            if theme is not None:
                taken.add(theme.pk)
            name = title if year == 2025 else f"{title}(二期)"
            milestones = [
                {"title": "完成方案设计和征询", "due_on": date(year, 3, 31)},
                {"title": "完成招标和开工", "due_on": date(year, 6, 30)},
                {"title": "完成主体施工", "due_on": date(year, 10, 31)},
                {"title": "竣工验收", "due_on": date(year, 12, 20)},
            ]
            project = services.project_create(
                actor=leader, year=year, rank=index + 1, title=name, owner_department=departments[index % len(
                    departments)], description=f"{summary}。", budget=budget, theme=theme, milestones=milestones,
                is_public=index != 9 or year == 2025, public_summary=summary)
            needs = _needs_for(word, theme, used)
            used.update(n.pk for n in needs)
            if needs:
                services.project_link(actor=leader, project=project, add_needs=needs)
            made += 1
            stage = STAGES_2025[index] if year == 2025 else ["in_progress", "in_progress", "planned", "delayed"][
                index % 4]
            done_count = {"done": 4, "in_progress": rng.choice([2, 3]), "delayed": 1, "planned": 0}[stage]
            if year == 2026:
                done_count = min(done_count, 2)
            for number, milestone in enumerate(list(project.milestones.order_by("order"))[:done_count], start=1):
                late = rng.randint(0, 12) if stage == "delayed" else rng.randint(-10, 3)
                done_on = date.fromordinal(milestone.due_on.toordinal() + late)
                if done_on > today:
                    done_on = today
                services.milestone_complete(actor=leader, milestone=milestone, done_on=done_on)
                # The progress the 回音 tells is the one reached with this milestone.
                services.project_set_status(actor=leader, project=project, status=ProjectStatus.IN_PROGRESS,
                                            progress=min(100, 25 * number - rng.randint(0, 5)))
                result = echo_services.echo_send(actor=leader, project=project, milestone=milestone)
                echoes += result.sent
            progress = {"done": 100, "in_progress": 25 * done_count + rng.randint(0, 15), "delayed": 20,
                        "planned": 5}[stage]
            services.project_set_status(actor=leader, project=project, status=stage, progress=min(progress, 100))
            if stage == ProjectStatus.DONE:
                echoes += echo_services.echo_send(actor=leader, project=project).sent
    choices = ["satisfied"] * 6 + ["basically"] * 2 + ["unsatisfied", "unreached"]
    for echo in Echo.objects.filter(in_callback_sample=True, project__year=2025).order_by("pk"):
        if rng.random() < 0.8:
            echo_services.echo_callback_record(actor=caller, echo=echo, satisfaction=rng.choice(choices),
                                               remarks=rng.choice(["", "希望后续维护跟上", "很满意", "施工期间噪音较大"]))
            callbacks += 1
    if stdout is not None:
        stdout.write(f"十大民生演示:{made} 个项目,{echoes} 户次回音,{callbacks} 次回访")
    return {"skipped": False, "projects": made, "echoes": echoes, "callbacks": callbacks}
