"""Loading the demo street: organisation, accounts and two years of cases replayed through the real services.

Deterministic for a seed; idempotent (a second run finds the demo accounts and does nothing).
"""

from __future__ import annotations

import functools
import logging
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cases import services as cs
from cases.models import Case, Satisfaction, Source, Urgency
from core import clock
from core.errors import DomainError
from open311.models import UnpublishedCategory
from org.models import (
    AddressRange,
    Category,
    Department,
    Estate,
    Grid,
    Neighbourhood,
    ResponsibilityRule,
    Role,
    User,
)
from workdays.calendar import add_working_hours, is_workday

from . import data
from .sensors import demo_sensors_load

DEMO_PASSWORD = "chengyun-demo"
DEMO_ACCOUNTS = [
    # username, display name, role, scope key
    ("admin", "系统管理员", Role.ADMIN, None),
    ("intake", "受理员 陈静", Role.INTAKE, None),
    ("dispatcher", "值班长 王海燕", Role.DISPATCHER, None),
    ("handler_cg", "城管中队 李志强", Role.HANDLER, "dept:静安寺城管中队"),
    ("handler_wy", "静安物业 周建国", Role.HANDLER, "dept:静安物业公司"),
    ("handler_jw", "金坛居委会 徐秀英", Role.HANDLER, "dept:金坛居委会"),
    ("callback", "回访员 张丽华", Role.CALLBACK, None),
    ("leader", "街道办主任 张峰", Role.LEADER, None),
    ("grid", "网格员 刘军", Role.GRID, "grid:JT-1"),
    ("cadre", "金坛居委 书记 沈佩玲", Role.CADRE, "nb:JT"),
    ("auditor", "审计员 钱敏", Role.AUDITOR, None),
]
SOURCE_WEIGHTS = [
    (Source.HOTLINE, 45), (Source.PATROL, 20), (Source.VISIT, 7), (Source.COUNCIL, 3), (Source.INSPECTION, 6),
    (Source.SELF_REPORT, 10), (Source.WALK_IN, 7), (Source.SENSOR, 2),
]


@dataclass
class Org:
    neighbourhoods: dict[str, Neighbourhood] = field(default_factory=dict)
    estates: list[Estate] = field(default_factory=list)
    ranges: dict[int, list[AddressRange]] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    committees: dict[str, Department] = field(default_factory=dict)
    property_companies: list[Department] = field(default_factory=list)
    categories: dict[str, Category] = field(default_factory=dict)
    category_meta: dict[str, tuple] = field(default_factory=dict)
    handlers: dict[int, list[User]] = field(default_factory=dict)
    dispatchers: list[User] = field(default_factory=list)
    callbacks: list[User] = field(default_factory=list)
    intakes: list[User] = field(default_factory=list)
    leaders: list[User] = field(default_factory=list)
    grid_users: dict[int, User] = field(default_factory=dict)


def demo_load(*, seed: int = 2026, cases: int = 5000, stdout: TextIO | None = None, now: datetime | None = None,
              registry_households: int = 8000) -> dict:
    if User.objects.filter(username="admin").exists():
        return {"skipped": True, "cases": Case.objects.count()}
    rng = random.Random(seed)
    now = now or timezone.now()
    with transaction.atomic():
        org = _build_org(rng)
    _say(stdout, f"组织架构已创建:{len(org.neighbourhoods)} 个居民区,{len(org.estates)} 个小区,"
                 f"{Grid.objects.count()} 个网格,{Department.objects.count()} 个单位,{User.objects.count()} 个用户")
    _build_cases(rng, org, cases, now, stdout)
    # After the cases, with its own random generator: the cases stay as they were for a seed.
    demo_sensors_load(seed=seed, now=now, handlers=[u for users in org.handlers.values() for u in users],
                      callbacks=org.callbacks, stdout=stdout)
    with clock.frozen_at(now):
        sweep = cs.sla_sweep(now=now)
    # 社区底册 last: it links the cases' 诉求人, and its own random generator leaves the cases as they were.
    from .registry import demo_registry_load

    registry = demo_registry_load(seed=seed, households=registry_households, now=now, stdout=stdout)
    registry["sources"] = _import_registry_sources(seed=seed, stdout=stdout)
    minqing = _load_minqing(seed=seed, now=now, stdout=stdout)
    return {"skipped": False, "cases": Case.objects.count(), **sweep, "registry": registry, "minqing": minqing}


def _load_minqing(*, seed: int, now: datetime, stdout: TextIO | None) -> dict:
    """人民情感日志 on the registry and the cases: visits with questionnaires, needs (some turned into cases) and the data
    lake, then the themes found in them and the 十大民生 projects picked from them — in that order, each step reading
    what the one before made."""
    from .minqing_needs import load_needs
    from .minqing_projects import load_projects
    from .minqing_themes import load_themes
    from .minqing_visits import load_visits

    made: dict = {}
    with clock.frozen_at(now):
        # --- issue18 demo steps ---
        made["visits"] = load_visits(seed=seed, now=now)
        _say(stdout, f"走访:{made['visits'].get('visits', 0)} 次,计划 {made['visits'].get('plans', 0)} 个,"
                     f"问卷答卷 {made['visits'].get('submissions', 0)} 份")
        made["needs"] = load_needs(seed=seed, now=now)
        _say(stdout, f"民情需求:{made['needs']['needs']} 条,转工单 {made['needs']['cases']} 件,"
                     f"数据湖 {made['needs']['lake_records']} 条")
        made["themes"] = load_themes()
        _say(stdout, f"民生主题已聚类:{made['themes'].get('themes', 0)} 个主题")
        # 回音 tells thousands of households: the console channel's line per SMS would bury the logins printed
        # after the load, so the demo's own 回音 are counted instead of logged.
        sms_log = logging.getLogger("chengyun.outbound.sms")
        level = sms_log.level
        sms_log.setLevel(logging.WARNING)
        try:
            made["projects"] = load_projects(seed=seed, today=timezone.localtime(now).date())
        finally:
            sms_log.setLevel(level)
        _say(stdout, f"十大民生项目:{made['projects'].get('projects', 0)} 个,"
                     f"回音短信 {made['projects'].get('echoes', 0)} 户次(演示不逐条打印)")
    return made


def _say(stdout: TextIO | None, text: str) -> None:
    if stdout is not None:
        stdout.write(text + "\n")


# --- organisation ----------------------------------------------------------------------------------


def _build_org(rng: random.Random) -> Org:
    org = Org()
    for code, name in data.NEIGHBOURHOODS:
        org.neighbourhoods[code] = Neighbourhood.objects.create(code=code, name=f"{name}居民区")
    grids: dict[str, list[Grid]] = {}
    for index, (code, nb) in enumerate(org.neighbourhoods.items()):
        count = 2 if index < 14 else 1  # 30 grids in all
        grids[code] = []
        for n in range(1, count + 1):
            lng, lat = 121.440 + (index % 4) * 0.006, 31.220 + (index // 4) * 0.003 + (n - 1) * 0.0015
            polygon = [[lng, lat], [lng + 0.006, lat], [lng + 0.006, lat + 0.0015], [lng, lat + 0.0015], [lng, lat]]
            grids[code].append(Grid.objects.create(code=f"{code}-{n}", name=f"{nb.name[:-3]}{n}号网格",
                                                   neighbourhood=nb, polygon=polygon))
    for name, kind in data.DEPARTMENTS:
        org.departments[kind] = Department.objects.create(name=name, kind=kind, phone="021-6248" + str(rng.randint(1000, 9999)))
    org.property_companies = [Department.objects.create(name=n, kind=Department.Kind.PROPERTY) for n in data.PROPERTY_COMPANIES]
    for code, nb in org.neighbourhoods.items():
        org.committees[code] = Department.objects.create(name=f"{nb.name[:-3]}居委会", kind=Department.Kind.RESIDENTS_COMMITTEE,
                                                         neighbourhood=nb)
    for index, (nb_code, name, ranges, company) in enumerate(data.ESTATES):
        estate = Estate.objects.create(name=name, neighbourhood=org.neighbourhoods[nb_code],
                                       grid=grids[nb_code][index % len(grids[nb_code])],
                                       property_company=org.property_companies[company])
        org.estates.append(estate)
        org.ranges[estate.pk] = [AddressRange.objects.create(estate=estate, road=road, kind=kind, first=first, last=last)
                                 for road, kind, first, last in ranges]
    for (parent_code, parent_name), children in data.CATEGORIES.items():
        parent = Category.objects.create(code=parent_code, name=parent_name)
        for code, name, sign, contact, days, lead, co, keywords in children:
            category = Category.objects.create(
                code=code, name=name, parent=parent, sign_hours=Decimal(sign), first_contact_hours=Decimal(contact),
                urgent_first_contact_hours=Decimal(min(contact, 2)), handle_days=days, keywords=keywords,
            )
            org.categories[name] = category
            org.category_meta[name] = (lead, co)
            _rules(org, category, lead, co)
    for name, reason in data.UNPUBLISHED_CATEGORIES.items():
        UnpublishedCategory.objects.create(category=org.categories[name], reason=reason)
    _build_users(rng, org, grids)
    return org


def _rules(org: Org, category: Category, lead: str, co: list[str]) -> None:
    """Street-wide rules for street departments; per-居民区 rules where the lead is local (物业, 居委会)."""
    if lead in ("property", "committee"):
        for code, nb in org.neighbourhoods.items():
            estate = next(e for e in org.estates if e.neighbourhood_id == nb.pk)
            lead_department = estate.property_company if lead == "property" else org.committees[code]
            rule = ResponsibilityRule.objects.create(category=category, neighbourhood=nb, lead_department=lead_department)
            rule.co_departments.set(_co(org, co, code, exclude=lead_department))
        return
    rule = ResponsibilityRule.objects.create(category=category, lead_department=org.departments[lead])
    rule.co_departments.set(_co(org, [c for c in co if c not in ("committee", "property")], None, exclude=None))


def _co(org: Org, kinds: list[str], nb_code: str | None, exclude: Department | None) -> list[Department]:
    result = []
    for kind in kinds:
        if kind == "committee" and nb_code:
            result.append(org.committees[nb_code])
        elif kind in org.departments:
            result.append(org.departments[kind])
    return [d for d in result if d != exclude]


@functools.cache
def _demo_password_hash() -> str:
    # One PBKDF2 run for all demo accounts instead of sixty.
    return make_password(DEMO_PASSWORD)


def _user(username: str, display: str, role: str, **scope) -> User:
    return User.objects.create(username=username, display_name=display, role=role, is_staff=role == Role.ADMIN,
                               is_superuser=role == Role.ADMIN, password=_demo_password_hash(), **scope)


def _build_users(rng: random.Random, org: Org, grids: dict[str, list[Grid]]) -> None:
    by_name = {d.name: d for d in Department.objects.all()}
    all_grids = {g.code: g for gs in grids.values() for g in gs}
    for username, display, role, scope in DEMO_ACCOUNTS:
        kwargs = {}
        if scope and scope.startswith("dept:"):
            kwargs["department"] = by_name[scope[5:]]
        elif scope and scope.startswith("grid:"):
            kwargs["grid"] = all_grids[scope[5:]]
        elif scope and scope.startswith("nb:"):
            kwargs["neighbourhood"] = org.neighbourhoods[scope[3:]]
        user = _user(username, display, role, **kwargs)
        _file_user(org, user)
    # ~50 more: a second handler per street department and 物业, patrollers, cadres, operators.
    extra = 0
    for department in Department.objects.exclude(kind__in=[Department.Kind.CENTRE, Department.Kind.RESIDENTS_COMMITTEE]):
        _file_user(org, _user(f"h{department.pk:03d}", f"{department.name} {_person(rng)}", Role.HANDLER,
                              department=department))
        extra += 1
    for code, committee in org.committees.items():
        if not org.handlers.get(committee.pk):
            _file_user(org, _user(f"jw_{code.lower()}", f"{committee.name} {_person(rng)}", Role.HANDLER,
                                  department=committee))
            extra += 1
    for code, grid in list(all_grids.items())[1:12]:
        _file_user(org, _user(f"grid_{code.lower().replace('-', '_')}", f"网格员 {_person(rng)}", Role.GRID, grid=grid))
    for index in range(2):
        _file_user(org, _user(f"intake{index + 2}", f"受理员 {_person(rng)}", Role.INTAKE))
        _file_user(org, _user(f"dispatcher{index + 2}", f"派单员 {_person(rng)}", Role.DISPATCHER))
        _file_user(org, _user(f"callback{index + 2}", f"回访员 {_person(rng)}", Role.CALLBACK))
    for code in list(org.neighbourhoods)[1:6]:
        _user(f"cadre_{code.lower()}", f"{org.neighbourhoods[code].name} {_person(rng)}", Role.CADRE,
              neighbourhood=org.neighbourhoods[code])


def _file_user(org: Org, user: User) -> None:
    if user.role == Role.HANDLER:
        org.handlers.setdefault(user.department_id, []).append(user)
    elif user.role == Role.DISPATCHER:
        org.dispatchers.append(user)
    elif user.role == Role.CALLBACK:
        org.callbacks.append(user)
    elif user.role == Role.INTAKE:
        org.intakes.append(user)
    elif user.role == Role.GRID:
        org.grid_users[user.grid_id] = user


def _person(rng: random.Random) -> str:
    return rng.choice(data.SURNAMES) + rng.choice(data.GIVEN)


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return f"021-{rng.randint(5000, 6999)}{rng.randint(1000, 9999)}"
    return f"1{rng.choice('3456789')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


# --- cases ---------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What will happen to one case, decided up front so the replay is deterministic."""

    registered: datetime
    category: Category
    estate: Estate
    address: str
    source: str
    content: str
    name: str
    phone: str
    urgent: bool
    seed_case: dict | None = None
    # The service after which this case stops, so every queue has work today (None: as far as time allows).
    stop_after: str | None = None
    duplicates: list[Plan] = field(default_factory=list)


class StopReplay(Exception):
    pass


# Where recent cases are left, so each role's queue holds work on the demo day.
BACKLOG_STOPS = [("case_register", 6), ("case_dispatch", 5), ("case_request_return", 1), ("case_sign", 4),
                 ("case_record_first_contact", 6), ("case_finish", 5), ("case_callback", 2)]


def _working_moment(rng: random.Random, day: date) -> datetime:
    tz = timezone.get_current_timezone()
    while not is_workday(day) and rng.random() < 0.85:  # a few come in on rest days too
        day -= timedelta(days=1)
    minutes = rng.randint(8 * 60 + 35, 17 * 60 + 10)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tz)


def _address(rng: random.Random, org: Org, estate: Estate) -> str:
    row = rng.choice(org.ranges[estate.pk])
    number = rng.randint(row.first, row.last)
    if row.kind == "弄":
        return f"{row.road}{number}弄{rng.randint(1, 30)}号"
    return f"{row.road}{number}号"


def _text(rng: random.Random, category: Category, address: str) -> str:
    body = rng.choice(data.COMPLAINTS[category.name]).format(addr=address)
    return f"{rng.choice(data.OPENERS)}{body},{rng.choice(data.CLOSERS)}".rstrip(",")


def _title(plan: Plan) -> str:
    """A hotline-style subject: the road and the problem, without the house number."""
    road = plan.address.split("弄")[0].rstrip("0123456789") if "弄" in plan.address else plan.address.split("号")[0].rstrip("0123456789")
    return f"{road}{plan.category.name}问题"


def _plans(rng: random.Random, org: Org, count: int, now: datetime) -> list[Plan]:
    names = list(org.categories)
    weights = [5 if n in ("群租", "楼道堆物", "违法搭建", "施工噪音", "餐饮油烟", "停车管理", "房屋渗漏", "飞线充电") else 2
               for n in names]
    plans = []
    span_days = 730
    for index in range(count):
        # Recent months are busier; the last fortnight holds the open backlog.
        age = int(span_days * (rng.random() ** 1.6)) if index % 12 else rng.randint(0, 14)
        registered = _working_moment(rng, timezone.localtime(now - timedelta(days=age)).date())
        if registered > now - timedelta(minutes=30):  # today's working hours haven't come yet: yesterday then
            registered = _working_moment(rng, timezone.localtime(now).date() - timedelta(days=1))
        category = org.categories[rng.choices(names, weights)[0]]
        source = rng.choices([s for s, _ in SOURCE_WEIGHTS], [w for _, w in SOURCE_WEIGHTS])[0]
        if source == Source.SENSOR:
            category = org.categories["道路积水"]
        estate = rng.choice(org.estates)
        address = _address(rng, org, estate)
        plan = Plan(registered, category, estate, address, source, _text(rng, category, address), _person(rng),
                    _phone(rng), category.name in ("电梯故障", "飞线充电", "道路积水") and rng.random() < 0.5)
        if age <= 12:
            plan.stop_after = rng.choices([s for s, _ in BACKLOG_STOPS] + [None], [w for _, w in BACKLOG_STOPS] + [6])[0]
        elif age <= 40 and rng.random() < 0.08:
            plan.stop_after = rng.choice(["case_sign", "case_record_first_contact"])  # stuck: overdue today
        plans.append(plan)
        if rng.random() < 0.03:
            # The same problem reported again by a neighbour: a 重复件 to merge.
            again = min(add_working_hours(registered, Decimal(str(round(rng.uniform(0.5, 12), 1)))), now - timedelta(minutes=10))
            plan.duplicates.append(Plan(again, category, estate, address, source, _text(rng, category, address),
                                        _person(rng), _phone(rng), plan.urgent))
    for seed_case in data.SEED_CASES:
        category = org.categories[seed_case["category"]]
        estate = next(e for e in org.estates if any(seed_case["address"].startswith(r.road) and
                                                    r.first <= int(seed_case["address"][len(r.road):].split("弄")[0]) <= r.last
                                                    for r in org.ranges[e.pk]))
        plans.append(Plan(_working_moment(rng, (now - timedelta(days=55)).date()), category, estate, seed_case["address"],
                          Source.HOTLINE, seed_case["content"], _person(rng), _phone(rng), False, seed_case))
    plans.sort(key=lambda p: p.registered)
    return plans


def _build_cases(rng: random.Random, org: Org, count: int, now: datetime, stdout: TextIO | None) -> int:
    plans = _plans(rng, org, count, now)
    hotline_seq: dict[date, int] = {}
    made = 0
    for start in range(0, len(plans), 200):
        with transaction.atomic():
            for plan in plans[start:start + 200]:
                day = timezone.localtime(plan.registered).date()
                hotline_seq[day] = hotline_seq.get(day, 0) + 1
                replay = Replay(rng, org, plan, now, f"{day:%Y%m%d}{hotline_seq[day]:05d}")
                replay.run()
                made += 1
        _say(stdout, f"  已生成 {made}/{len(plans)} 件工单")
    return made


class Replay:
    """Drives one planned case through the services at realistic, increasing moments."""

    def __init__(self, rng: random.Random, org: Org, plan: Plan, now: datetime, hotline_number: str):
        self.rng, self.org, self.plan, self.now = rng, org, plan, now
        self.hotline_number = hotline_number
        self.moment = plan.registered
        self.case: Case | None = None

    # time moves forward in working hours, and never past now
    def later(self, low: float, high: float) -> bool:
        moment = add_working_hours(self.moment, Decimal(str(round(self.rng.uniform(low, high), 2))))
        if moment >= self.now:
            return False
        self.moment = moment
        return True

    def do(self, service, **kwargs):
        with clock.frozen_at(self.moment):
            result = service(case=self.case, **kwargs)
        if self.plan.stop_after == service.__name__:
            raise StopReplay
        return result

    def run(self) -> None:
        plan = self.plan
        self.case = self._register(plan)
        for duplicate in plan.duplicates:
            # Replayed beside its master so the master is still open when the 重复件 arrives.
            master, self.moment = self.case, duplicate.registered
            self.case = self._register(duplicate)
            if self.later(0.2, 2):
                self.do(cs.case_merge, actor=self.dispatcher, master=master, note="同一小区同一诉求,合并处理")
            self.case, self.moment = master, plan.registered
        if self.plan.stop_after == "case_register":
            return
        try:
            self._lifecycle()
        except StopReplay:
            return
        except DomainError as exc:  # a planned step the engine refused: a bug in the plan or the engine
            raise RuntimeError(f"演示数据生成失败 {self.case.number}: {exc.message}") from exc

    def _register(self, plan: Plan) -> Case:
        rng = self.rng
        registrar = self._registrar()
        with clock.frozen_at(plan.registered):
            return cs.case_register(
                actor=registrar, source=plan.source, title=_title(plan), content=plan.content,
                category=plan.category if rng.random() < 0.8 or plan.source != Source.HOTLINE else None,
                address=plan.address, citizen_name="" if plan.source == Source.SENSOR else plan.name,
                citizen_phone="" if plan.source == Source.SENSOR else plan.phone,
                urgency=Urgency.URGENT if plan.urgent else Urgency.NORMAL,
                hotline_number=(self.hotline_number if plan is self.plan else f"{self.hotline_number[:8]}{rng.randint(60000, 99999)}")
                if plan.source == Source.HOTLINE else "",
            )

    @property
    def dispatcher(self) -> User:
        return self.rng.choice(self.org.dispatchers)

    def _registrar(self) -> User:
        if self.plan.source == Source.PATROL and self.plan.estate.grid_id in self.org.grid_users:
            return self.org.grid_users[self.plan.estate.grid_id]
        if self.plan.source == Source.SENSOR:
            from org.services import system_user

            return system_user()
        return self.rng.choice(self.org.intakes)

    def _departments(self, category: Category) -> tuple[Department, list[Department]]:
        lead_kind, co_kinds = self.org.category_meta[category.name]
        nb_code = self.plan.estate.neighbourhood.code
        if lead_kind == "property":
            lead = self.plan.estate.property_company
        elif lead_kind == "committee":
            lead = self.org.committees[nb_code]
        else:
            lead = self.org.departments[lead_kind]
        co = _co(self.org, co_kinds, nb_code, exclude=lead) if self.rng.random() < 0.7 else []
        if co_kinds and "property" in co_kinds and self.plan.estate.property_company != lead:
            co.append(self.plan.estate.property_company)
        return lead, co

    def handler(self, department: Department | None = None) -> User:
        department = department or self.case.lead_department
        return self.rng.choice(self.org.handlers[department.pk])

    def _lifecycle(self) -> None:
        rng, plan = self.rng, self.plan
        if not self.later(0.1, 2.5):
            return
        lead, co = self._departments(plan.category)
        wrong_first = plan.stop_after == "case_request_return" or (rng.random() < 0.07 and plan.seed_case is None)
        others = [d for d in self.org.departments.values() if d != lead and d.kind != Department.Kind.CENTRE]
        first_lead = rng.choice(others) if wrong_first else lead
        self.do(cs.case_dispatch, actor=self.dispatcher, lead_department=first_lead,
                co_departments=[] if wrong_first else co, category=plan.category)
        if wrong_first:
            if not self.later(0.2, 2):
                return
            self.do(cs.case_request_return, actor=self.handler(), reason="经核实不属于本单位职责范围,请改派"
                    f"{lead.name}")
            if not self.later(0.3, 3):
                return
            if rng.random() < 0.8:
                self.do(cs.case_approve_return, actor=self.dispatcher, reason="同意退单,改派责任单位")
                if not self.later(0.1, 1):
                    return
                self.do(cs.case_dispatch, actor=self.dispatcher, lead_department=lead, co_departments=co)
            else:
                self.do(cs.case_reject_return, actor=self.dispatcher, reason="属于属地管理范围,请先行处置")
        self._handle_round(first_round=True)

    def _handle_round(self, *, first_round: bool) -> None:
        rng, plan = self.rng, self.plan
        unsigned_late = rng.random() < 0.06
        if not self.later(3.5 if unsigned_late else 0.05, 6 if unsigned_late else 1.5):
            return
        self.do(cs.case_sign, actor=self.handler())
        if not self.later(0.1, 10 if rng.random() < 0.1 else 3):
            return
        self.do(cs.case_record_first_contact, actor=self.handler(), method=rng.choice(["phone", "phone", "visit", "sms"]),
                outcome=rng.choice(["已电话联系诉求人,了解具体情况,约定上门时间", "已上门与诉求人见面,查看现场",
                                    "已联系诉求人,告知处置计划"]))
        for department in [a.department for a in self.case.assignments.filter(active=True, role="co")]:
            if self.later(1, 8):
                self.do(cs.case_co_report, actor=self.handler(department),
                        report=f"{department.name}已配合上门,做好当事人工作")
        if rng.random() < 0.3 and self.later(2, 16):
            self.do(cs.case_add_progress, actor=self.handler(), note="已到现场查看,正在协调相关方处置")
        if rng.random() < 0.05 and self.later(2, 10):
            self.do(cs.case_urge, actor=rng.choice([self.dispatcher, User.objects.get(username="leader")]),
                    note="群众反映强烈,请加快处置并及时反馈")
            if self.later(0.5, 4):
                self.do(cs.case_respond_urge, actor=self.handler(), note="已加派人员,明日完成处置")
        if rng.random() < 0.05 and self.later(1, 6):
            self.do(cs.case_chase, actor=rng.choice(self.org.intakes), note="诉求人来电催促办理进度")
        if first_round and plan.seed_case is None and rng.random() < 0.01 and self.later(2, 10):
            self.do(cs.case_suspend, actor=self.dispatcher, plan="涉及历史遗留产权问题,纳入挂账,每月复查推进",
                    review_date=(timezone.localtime(self.moment) + timedelta(days=rng.randint(20, 60))).date())
            return
        if rng.random() < 0.07 and self.later(2, 12):
            self.do(cs.case_request_extension, actor=self.handler(), reason="需协调多方及施工队进场,申请延期",
                    extra_days=rng.randint(3, 10))
            if not self.later(0.5, 4):
                return
            if rng.random() < 0.8:
                self.do(cs.case_approve_extension, actor=self.dispatcher, reason="情况属实,同意延期")
            else:
                self.do(cs.case_reject_extension, actor=self.dispatcher, reason="可在原期限内完成,不予延期")
        late = rng.random() < 0.08
        days = float(self.case.category.handle_days) * 9
        if not self.later(days * (1.05 if late else 0.1), days * (1.6 if late else 0.9)):
            return
        result = plan.seed_case["result"] if plan.seed_case and first_round else rng.choice(data.HANDLING_RESULTS)
        self.do(cs.case_finish, actor=self.handler(), result=result)
        self._callback(first_round)

    def _callback(self, first_round: bool) -> None:
        rng, plan = self.rng, self.plan
        if not self.later(1, 12):
            return
        unsatisfied = (plan.seed_case is not None and first_round) or (first_round and rng.random() < 0.06)
        satisfaction = Satisfaction.UNSATISFIED if unsatisfied else rng.choices(
            [Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.UNSATISFIED], [80, 17, 3 if first_round else 0])[0]
        remarks = ""
        if satisfaction == Satisfaction.UNSATISFIED:
            remarks = plan.seed_case["remarks"] if plan.seed_case else rng.choice(data.CALLBACK_UNSATISFIED)
        caller = rng.choice(self.org.callbacks)
        self.do(cs.case_callback, actor=caller, satisfaction=satisfaction, solved=satisfaction != Satisfaction.UNSATISFIED,
                first_contacted=rng.random() < 0.93, remarks=remarks)
        if not self.later(0.2, 4):
            return
        if satisfaction == Satisfaction.UNSATISFIED:
            if plan.seed_case is None and rng.random() < 0.2:
                self.do(cs.case_close, actor=self.dispatcher, reason="诉求超出政策范围,已向诉求人解释,作结案处理")
                return
            self.do(cs.case_reopen, actor=caller, reason=f"回访不满意:{remarks},重新处置")
            self._handle_round(first_round=False)
            return
        self.do(cs.case_close, actor=caller)


def _import_registry_sources(*, seed: int, stdout: TextIO | None) -> dict:
    """The police's and the 居委会's lists of some of the same people, spelled differently, through the registry
    import as a 派单员 would upload them: exact matches update, near-duplicates wait on the review page."""
    from django.core.files import File

    from registry.import_jobs import import_job_create, import_job_run

    from .registry_sources import registry_source_files

    actor = User.objects.filter(role=Role.DISPATCHER, is_active=True).order_by("pk").first()
    counts = {}
    for path in registry_source_files(seed=seed):
        with open(path, "rb") as handle:
            job = import_job_create(actor=actor, upload=File(handle, name=path.name), kind="persons")
        job = import_job_run(job.pk)
        counts[path.name] = job.counts()
        _say(stdout, f"社区底册导入 {path.name}:{job.get_status_display()},{job.counts()}")
    return counts

