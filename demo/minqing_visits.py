"""Demo 走访: a year of visit plans and ~10,000 visits, with the two questionnaires filled in a share of them.

The two XLSForms (demo/data/xlsform/, written by demo/xlsforms.py) are loaded through questionnaire_load as the
system account — what `manage.py load_xlsform FILE` does. Then, per 居民区, the plans the rules make (PlanRule): every
独居老人 (registry tag) monthly, every household yearly; their targets, most done (linked to the visit that reached
them), some still open, the past months' open ones overdue. The visits fall over the 365 days before `now`: ~80 % 见面,
15 % 未遇, 5 % 拒访, by the 居民区's 居委干部 and the 网格员 of the home's grid (minqing's rule), each with its
VisitEvent "visit_record" (each plan its "plan_create", a finished one "plan_done", as minqing's services write
them). About 3,000 见面 visits carry a 户情基础信息 submission and 1,500 a 民生需求 one: answers checked by the
server's engine and stored with the submission service's digest.

Fast on purpose (bulk_create, no services per row); deterministic for a seed (one random.Random, order_by
everywhere, instance ids from it); it never runs twice (returns early when visits exist). Runs before the needs demo,
which attaches half its needs to these visits.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import clock
from minqing.models import PlanRule, Visit, VisitEvent, VisitOutcome, VisitPlan, VisitPlanTarget
from org.models import Grid, Neighbourhood, Role, User
from org.services import system_user
from questionnaires.engine import validate
from questionnaires.models import Channel, FormVersion, Submission
from questionnaires.services import questionnaire_load
from questionnaires.submit import digest_of
from registry.models import Household, HousingStatus, Membership, Person, Unit

from .minqing_answers import household_answers, livelihood_answers
from .xlsforms import FOLDER, FORMS

BATCH = 2000
ALONE_TAG = "独居老人"
OUTCOMES = [VisitOutcome.MET, VisitOutcome.ABSENT, VisitOutcome.REFUSED]
OUTCOME_WEIGHTS = [84, 11, 5]  # a 见面 drawn for a vacant home turns 未遇: ~80/15/5 in the end
NOTES = {
    VisitOutcome.MET: [
        "入户了解家庭近况,身体状况良好,生活能自理", "老人精神状态不错,提醒冬季注意保暖和用电安全",
        "宣传垃圾分类和防范电信诈骗知识,住户表示了解", "了解住户对小区环境和物业服务的意见,已记录",
        "查看家中水电燃气使用情况,未发现安全隐患", "住户反映楼道照明问题,已告知物业跟进",
        "老人近期就医情况稳定,已联系家庭医生定期随访", "介绍社区助餐点和日间照料服务,住户有意向",
        "核对户内常住人员情况,信息无变化", "住户对加装电梯有意愿,已登记并告知征询流程",
        "了解家庭就业和生活困难情况,告知相关帮扶政策", "陪同老人聊天,了解日常起居,情绪稳定",
    ],
    VisitOutcome.ABSENT: ["敲门无人应答,已在门上留联系卡", "住户外出未遇,已电话预约下次走访",
                          "家中无人,邻居称住户白天上班", "房屋暂无人居住,已向楼组长了解情况"],
    VisitOutcome.REFUSED: ["住户表示不便接受走访,已留下居委会联系方式", "住户婉拒入户,隔门简单交流,未发现异常"],
}
UNIT_NOTES = ["走访驻区单位,了解经营情况和用工需求", "宣传消防安全和门责制度,检查灭火器有效期",
              "了解商铺对周边环境和停车的意见", "核对单位负责人和联系方式,信息无变化"]
COMPANIONS = ["", "", "", "楼组长", "志愿者", "社区民警", "家庭医生", "物业管家"]
CHANNELS = [Channel.ONLINE, Channel.OFFLINE, Channel.PAPER]
CHANNEL_WEIGHTS = [65, 20, 15]


def load_forms(*, actor: User | None = None) -> dict[str, FormVersion]:
    """The demo's two XLSForms through questionnaire_load (the same file again adds no version)."""
    actor = actor or system_user()
    versions = {}
    for filename, form in FORMS.items():
        version, _ = questionnaire_load(actor=actor, content=(FOLDER / filename).read_bytes(), filename=filename)
        versions[form["form_id"]] = version
    return versions


def _visitors(rng: random.Random) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """({居民区: its 居委干部}, {网格: its 网格员}) — who may visit a home there (minqing's rule: a cadre of the 居民区, a
    网格员 of the home's grid). A 居民区 the org demo gave no 居委干部 gets one here, so every 居民区 is visited."""
    from .services import _person, _user

    cadres: dict[int, list[int]] = {}
    for pk, nb in User.objects.filter(role=Role.CADRE, is_active=True, neighbourhood__isnull=False).order_by(
            "pk").values_list("pk", "neighbourhood_id"):
        cadres.setdefault(nb, []).append(pk)
    for nb in Neighbourhood.objects.order_by("pk"):
        if nb.pk not in cadres and not User.objects.filter(username=f"cadre_{nb.code.lower()}").exists():
            cadres[nb.pk] = [_user(f"cadre_{nb.code.lower()}", f"{nb.name} {_person(rng)}", Role.CADRE,
                                   neighbourhood=nb).pk]
    grids: dict[int, list[int]] = {}
    for pk, grid in User.objects.filter(role=Role.GRID, is_active=True, grid__isnull=False).order_by(
            "pk").values_list("pk", "grid_id"):
        grids.setdefault(grid, []).append(pk)
    return cadres, grids


def _grid_points() -> dict[int, tuple[float, float]]:
    points = {}
    for pk, polygon in Grid.objects.order_by("pk").values_list("pk", "polygon"):
        if polygon:
            corners = polygon[:-1] or polygon
            points[pk] = (sum(p[1] for p in corners) / len(corners), sum(p[0] for p in corners) / len(corners))
    return points


def _at(day: date, rng: random.Random, tz) -> datetime:
    return datetime.combine(day, time(rng.randint(9, 16), rng.randrange(60)), tzinfo=tz)


def _uuid(rng: random.Random) -> str:
    return f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _months(today: date, count: int = 12) -> list[tuple[date, date]]:
    """The `count` calendar months ending with this one, oldest first: (first day, last day)."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        first = date(year, month, 1)
        last = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
        months.append((first, last))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def load_visits(*, seed: int = 2026, count: int = 10000, now: datetime | None = None,
                household_share: float = 0.3, livelihood_share: float = 0.15) -> dict[str, Any]:
    now = now or clock.now()
    system = system_user()
    versions = load_forms(actor=system)
    if Visit.objects.exists():
        return {"skipped": True, "visits": Visit.objects.count()}
    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    now = timezone.localtime(now, tz)
    today = now.date()
    window = today - timedelta(days=364)
    households = list(Household.objects.filter(neighbourhood__isnull=False).order_by("pk").values_list(
        "pk", "neighbourhood_id", "grid_id", "housing"))
    if not households or count <= 0:
        return {"skipped": False, "visits": 0, "plans": 0, "targets": 0, "submissions": 0}
    cadres, grid_users = _visitors(rng)
    members: dict[int, list[tuple[int, str, date | None]]] = {}
    for person, household, relation, birth in Membership.objects.filter(ended_at__isnull=True).order_by(
            "household_id", "started_at", "pk").values_list("person_id", "household_id", "relation",
                                                            "person__birth_date"):
        members.setdefault(household, []).append((person, relation, birth))
    alone_people = set(Person.objects.filter(tags__name=ALONE_TAG).values_list("pk", flat=True))
    alone = {h for h, people in members.items() if any(p in alone_people for p, _, _ in people)}
    by_nb: dict[int, list[tuple]] = {}
    for row in households:
        by_nb.setdefault(row[1], []).append(row)
    info = {row[0]: row for row in households}
    points = _grid_points()

    # --- plans and their targets (targets get their visit after the visits exist) -----------------------------
    plans: list[VisitPlan] = []
    targets: list[tuple[int, int, date, date]] = []  # (plan index, household, earliest visit day, latest)
    months = _months(today)
    for nb, rows in sorted(by_nb.items()):
        people = cadres.get(nb) or [system.pk]
        lonely = [r[0] for r in rows if r[0] in alone]
        for first, last in months if lonely else []:
            plans.append(VisitPlan(
                title=f"{first:%Y年%m月}独居老人走访", neighbourhood_id=nb, assignee_id=people[0],
                rule=PlanRule.ALONE_ELDERLY_MONTHLY, starts_on=first, due_on=last,
                note="按规则生成:本居民区每位独居老人每月至少走访一次",
                created_at=_at(max(first, window) - timedelta(days=1), rng, tz), created_by_id=people[0]))
            targets += [(len(plans) - 1, h, max(first, window), min(last, today)) for h in lonely]
        start = window
        plans.append(VisitPlan(
            title=f"{start.year}-{today.year}年度全覆盖走访", neighbourhood_id=nb, assignee_id=people[0],
            rule=PlanRule.ALL_HOUSEHOLDS_YEARLY, starts_on=start, due_on=today + timedelta(days=30),
            note="按规则生成:本居民区每户每年至少走访一次", created_at=_at(start, rng, tz),
            created_by_id=people[0]))
        targets += [(len(plans) - 1, r[0], start, today) for r in rows]

    # --- which targets get visited: the monthly ones first, the yearly ones with what is left --------------------
    specs = _planned(rng, plans, targets, alone, members, budget=int(count * 0.9), today=today)[:count]
    units = list(Unit.objects.filter(neighbourhood__isnull=False).order_by("pk").values_list("pk", "neighbourhood_id",
                                                                                             "grid_id"))
    while len(specs) < count:  # unplanned visits: revisits to households, and 驻区单位
        day = window + timedelta(days=rng.randrange(365))
        if units and rng.random() < 0.25:
            unit, nb, grid = rng.choice(units)
            specs.append({"unit": unit, "nb": nb, "grid": grid, "day": day, "outcome": rng.choices(
                OUTCOMES, weights=[88, 10, 2])[0], "target": None})
        else:
            household = rng.choice(households)[0]
            specs.append({"household": household, "day": day, "outcome": _outcome(rng, household, members),
                          "target": None})
    specs.sort(key=lambda s: (s["day"], s.get("household") or 0, s.get("unit") or 0, s["target"] or -1))

    # --- the visits ------------------------------------------------------------------------------------------
    visits: list[Visit] = []
    visitor_rows: list[tuple[int, int]] = []  # (visit index, user)
    for spec in specs:
        household = spec.get("household")
        nb, grid = (info[household][1], info[household][2]) if household else (spec["nb"], spec["grid"])
        people = cadres.get(nb, []) + grid_users.get(grid, []) or [system.pk]
        chosen = rng.sample(people, k=2 if len(people) > 1 and rng.random() < 0.3 else 1)
        outcome = spec["outcome"]
        met = None
        if household and outcome == VisitOutcome.MET:
            residents = members[household]
            lonely = [p for p, _, _ in residents if p in alone_people]
            met = lonely[0] if lonely else rng.choice(residents)[0]
        notes = rng.choice(UNIT_NOTES if spec.get("unit") and outcome == VisitOutcome.MET else NOTES[outcome])
        visited_at = _at(spec["day"], rng, tz)
        created_at = min(now, visited_at + timedelta(hours=rng.choice([0, 1, 2, 5, 20, 26])))
        visits.append(Visit(visited_on=spec["day"], household_id=household, unit_id=spec.get("unit"),
                            neighbourhood_id=nb, companions=rng.choice(COMPANIONS), met_person_id=met,
                            outcome=outcome, notes=notes, created_at=created_at, created_by_id=chosen[0]))
        visitor_rows += [(len(visits) - 1, user) for user in chosen]

    # --- the questionnaires in a share of the 见面 visits to households ----------------------------------------
    met_visits = [i for i, v in enumerate(visits) if v.outcome == VisitOutcome.MET and v.household_id]
    household_form, livelihood_form = versions["household_basics"], versions["livelihood_needs"]
    picks = [(household_form, sorted(rng.sample(met_visits, k=min(len(met_visits), round(count * household_share))))),
             (livelihood_form, sorted(rng.sample(met_visits, k=min(len(met_visits), round(count * livelihood_share)))))]
    submissions: list[Submission] = []
    links: list[tuple[int, int]] = []  # (visit index, submission index)
    for form, chosen in picks:
        for index in chosen:
            visit = visits[index]
            household = info[visit.household_id]
            if form is household_form:
                raw = household_answers(rng, members=members[visit.household_id], on=visit.visited_on,
                                        alone=visit.household_id in alone, point=points.get(household[2]),
                                        tenant=household[3] == HousingStatus.RENTED)
            else:
                raw = livelihood_answers(rng)
            submissions.append(_submission(rng, form=form, raw=raw, visit=visit, now=now))
            links.append((index, len(submissions) - 1))

    with transaction.atomic():
        VisitPlan.objects.bulk_create(plans, batch_size=BATCH)
        Visit.objects.bulk_create(visits, batch_size=BATCH)
        through = Visit.visitors.through
        through.objects.bulk_create([through(visit_id=visits[i].pk, user_id=u) for i, u in visitor_rows],
                                    batch_size=BATCH)
        Submission.objects.bulk_create(submissions, batch_size=BATCH)
        through = Visit.submissions.through
        through.objects.bulk_create([through(visit_id=visits[v].pk, submission_id=submissions[s].pk)
                                     for v, s in links], batch_size=BATCH)
        reached, finished = _targets(plans, targets, specs, visits, today)
        _events(plans, targets, visits, visitor_rows, links, submissions, reached, finished)
        done = len(reached)
    outcomes = {o.value: sum(1 for v in visits if v.outcome == o) for o in OUTCOMES}
    return {"skipped": False, "visits": len(visits), "plans": len(plans), "targets": len(targets),
            "targets_done": done, "outcomes": outcomes, "submissions": len(submissions),
            "household_basics": len(picks[0][1]), "livelihood_needs": len(picks[1][1])}


def _attempts(rng: random.Random, household: int, members: dict, earliest: date, latest: date, index: int, *,
              until_met: bool = False) -> list[dict[str, Any]]:
    """The visits to one target: one, and if it missed (未遇/拒访) maybe another later; a plan its cadres finished
    (until_met) keeps trying, the last try meeting the household."""
    found: list[dict[str, Any]] = []
    day = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
    while True:
        outcome = _outcome(rng, household, members)
        if until_met and (len(found) == 2 or day >= latest) and members.get(household):
            outcome = VisitOutcome.MET
        found.append({"household": household, "day": day, "outcome": outcome, "target": index})
        if outcome == VisitOutcome.MET or day >= latest or not (until_met or rng.random() < 0.5) or len(found) > 2:
            return found
        day = day + timedelta(days=rng.randint(1, max(1, min(7, (latest - day).days))))


def _planned(rng: random.Random, plans, targets, alone: set[int], members: dict, *, budget: int,
             today: date) -> list[dict[str, Any]]:
    """Visits to the plans' targets. Every 独居老人 is visited most months (about a third of the past months' plans
    finished to the last target); the yearly plan gets the rest of the budget, its 独居老人 households being
    reached by their monthly visits already."""
    monthly = [(i, t) for i, t in enumerate(targets) if plans[t[0]].rule == PlanRule.ALONE_ELDERLY_MONTHLY]
    yearly = [(i, t) for i, t in enumerate(targets)
              if plans[t[0]].rule == PlanRule.ALL_HOUSEHOLDS_YEARLY and t[1] not in alone]
    chance = min(0.92, 0.65 * budget / (1.1 * len(monthly))) if monthly else 0
    finished = {p for p, plan in enumerate(plans) if plan.rule == PlanRule.ALONE_ELDERLY_MONTHLY
                and plan.due_on < today and rng.random() < 0.35}
    specs: list[dict[str, Any]] = []
    for index, (plan, household, earliest, latest) in monthly:
        if latest >= earliest and (plan in finished or rng.random() < chance):
            specs += _attempts(rng, household, members, earliest, latest, index, until_met=plan in finished)
    left = budget - len(specs)
    chance = min(0.95, max(0.0, left / (1.1 * len(yearly)))) if yearly else 0
    extra: list[dict[str, Any]] = []
    for index, (_, household, earliest, latest) in yearly:
        if latest >= earliest and rng.random() < chance:
            extra += _attempts(rng, household, members, earliest, latest, index)
    rng.shuffle(extra)
    return specs + extra[:max(0, left)]


def _outcome(rng: random.Random, household: int, members: dict) -> str:
    outcome = rng.choices(OUTCOMES, weights=OUTCOME_WEIGHTS)[0]
    if outcome == VisitOutcome.MET and not members.get(household):
        return VisitOutcome.ABSENT  # nobody lives there (vacant): nobody to meet
    return outcome


def _targets(plans, targets, specs, visits, today: date) -> tuple[dict[int, int], list[int]]:
    """The plan targets, each linked to the first 见面 visit that reached it; a past plan all done is 已完成."""
    reached: dict[int, int] = {}
    met_by_household: dict[int, list[Visit]] = {}
    for spec, visit in zip(specs, visits, strict=True):  # in visit order: the first 见面 counts
        if visit.outcome != VisitOutcome.MET:
            continue
        if spec["target"] is not None:
            reached.setdefault(spec["target"], visit.pk)
        if visit.household_id:
            met_by_household.setdefault(visit.household_id, []).append(visit)
    # As visit_record does: a visit fills every open target of its household in the plans already started, so a
    # 独居老人 missed in January and met in February leaves no January target open (nor a yearly one).
    for index, (_p, household, earliest, _latest) in enumerate(targets):
        if index not in reached:
            later = [v for v in met_by_household.get(household, []) if v.visited_on >= earliest]
            if later:
                reached[index] = min(later, key=lambda v: (v.visited_on, v.pk)).pk
    rows = [VisitPlanTarget(plan=plans[p], household_id=h, visit_id=reached.get(i))
            for i, (p, h, _, _) in enumerate(targets)]
    VisitPlanTarget.objects.bulk_create(rows, batch_size=BATCH)
    open_plans = {plans[p].pk for i, (p, _, _, _) in enumerate(targets) if i not in reached}
    finished = [p.pk for p in plans if p.due_on < today and p.pk not in open_plans]
    VisitPlan.objects.filter(pk__in=finished).update(status=VisitPlan.Status.DONE)
    return reached, finished


def _events(plans, targets, visits, visitor_rows, links, submissions, reached: dict[int, int], finished) -> None:
    """The history minqing's services write: plan_create, visit_record (with its visitors, questionnaires and the
    plans it reached) and plan_done, each by its actor at its time."""
    by_pk = {v.pk: v for v in visits}
    who: dict[int, list[int]] = {}
    for index, user in visitor_rows:
        who.setdefault(visits[index].pk, []).append(user)
    answered: dict[int, list[int]] = {}
    for v, s in links:
        answered.setdefault(visits[v].pk, []).append(submissions[s].pk)
    plans_of: dict[int, set[int]] = {}
    last: dict[int, Visit] = {}
    for index, visit_pk in reached.items():
        plan = plans[targets[index][0]]
        plans_of.setdefault(visit_pk, set()).add(plan.pk)
        if plan.pk not in last or by_pk[visit_pk].created_at > last[plan.pk].created_at:
            last[plan.pk] = by_pk[visit_pk]
    sizes = Counter(t[0] for t in targets)
    events = [VisitEvent(plan=p, action="plan_create", actor_id=p.created_by_id, at=p.created_at,
                         payload={"rule": p.rule, "assignee": p.assignee_id, "households": sizes[i], "units": 0})
              for i, p in enumerate(plans)]
    events += [VisitEvent(visit=v, action="visit_record", actor_id=v.created_by_id, at=v.created_at,
                          payload={"outcome": v.outcome, "visitors": who.get(v.pk, []), "needs": [],
                                   "submissions": answered.get(v.pk, []), "plans": sorted(plans_of.get(v.pk, ()))})
               for v in visits]
    events += [VisitEvent(plan_id=pk, action="plan_done", actor_id=last[pk].created_by_id, at=last[pk].created_at)
               for pk in finished]
    VisitEvent.objects.bulk_create(events, batch_size=BATCH)


def _submission(rng: random.Random, *, form: FormVersion, raw: dict, visit: Visit, now: datetime) -> Submission:
    checked = validate(form.spec, raw, today=visit.visited_on)
    if checked.errors:  # the answers are made to the forms' rules: a failure here is a bug in minqing_answers
        raise AssertionError(f"demo answers break {form.questionnaire.slug}: {checked.errors}")
    household = Household(pk=visit.household_id)
    person = Person(pk=visit.met_person_id) if visit.met_person_id else None
    started = min(now, datetime.combine(visit.visited_on, time(9), tzinfo=visit.created_at.tzinfo)
                  + timedelta(minutes=rng.randint(0, 420)))
    completed = min(now, started + timedelta(minutes=rng.randint(4, 18)))
    channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
    delay = {Channel.ONLINE: timedelta(seconds=rng.randint(2, 40)),
             Channel.OFFLINE: timedelta(hours=rng.randint(1, 30)),
             Channel.PAPER: timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 6))}[channel]
    data = checked.cleaned_data
    return Submission(
        form_version=form, instance_id=_uuid(rng), data=data, channel=channel,
        digest=digest_of(form_version=form, data=data, household=household, unit=None, person=person),
        household_id=visit.household_id, person_id=visit.met_person_id, neighbourhood_id=visit.neighbourhood_id,
        started_at=started if channel != Channel.PAPER else None,
        completed_at=completed if channel != Channel.PAPER else None, received_at=min(now, completed + delay),
        paper_note="纸质问卷,走访后由居委会录入" if channel == Channel.PAPER else "", submitted_by_id=visit.created_by_id)
