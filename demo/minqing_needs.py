"""Demo 民情需求 and the data lake: ~3,000 needs over the year across the 居民区 and categories (recurring themes —
加装电梯, 停车难, 楼道照明, 垃圾分类, 助餐点, 噪音, 漏水, 老人就医 … — so the themes can be found), some raised in
visits (when the visits demo ran first), ~10 % turned into cases through minqing's service and moved on through the
case services (so 办结/回访/结案 flow back through the listener), and a data lake of three sources imported through
the lake import. Needs the registry demo (households) and the org demo (users, departments) loaded first."""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction

from core import clock
from minqing.models import Need, NeedCategory, NeedEvent, NeedSource, NeedStatus, NeedUrgency, Visit
from minqing.services.lake import lake_import_file
from minqing.services.needs import need_open_case, need_resolve
from org.models import Department, Role, User
from org.services import system_user
from registry.models import Household

# category → (texts with {who}/{place} slots); the same phrasings recur so clustering finds them.
THEMES: dict[str, list[str]] = {
    "加装电梯": ["{who}住{floor}楼,腿脚不便上下楼困难,希望本楼加装电梯", "本楼多数住户同意加装电梯,希望居委会协调低层住户意见",
             "加装电梯意见征询进展如何,老人每天爬楼很辛苦"],
    "停车难": ["小区停车位不足,晚上车辆乱停堵住消防通道",
            "非机动车乱停放,电瓶车在楼道里充电有隐患", "外来车辆占用小区车位,居民回家停不了车"],
    "楼道照明": ["楼道灯坏了很久没人修,晚上{who}上下楼看不清", "{place}楼道声控灯不亮,希望尽快维修"],
    "垃圾分类": ["垃圾箱房气味大,定时投放点离家太远", "有人不分类乱扔垃圾,希望加强垃圾分类督导", "湿垃圾桶满了没有及时清运"],
    "助餐": ["{who}独居,希望社区助餐点能送餐上门", "助餐点菜品少价格偏高,希望增加老年人套餐", "希望附近开设助餐点,老人吃饭不方便"],
    "噪音扰民": ["楼下商铺夜间噪音扰民,影响休息", "邻居装修噪音太大,中午和晚上也在施工", "广场舞音响声音太大,晚上九点后仍不停"],
    "房屋修缮": ["楼上漏水,卫生间天花板发霉", "外墙渗水,雨天{place}室内墙面潮湿", "屋顶漏水多次报修未解决"],
    "医疗健康": ["{who}行动不便,老人就医困难,希望家庭医生上门", "希望社区卫生服务站增加配药品种", "老人就医挂号难,希望提供陪诊服务"],
    "养老服务": ["{who}独居老人,希望安装紧急呼叫装置", "希望增加居家养老服务时长", "老人日间照料中心名额紧张"],
    "环境卫生": ["小区绿化带堆放杂物,蚊虫多", "楼道堆物严重,存在消防隐患", "路面有积水,下雨天出行不便"],
    "安全隐患": ["电瓶车飞线充电,存在火灾隐患", "楼道消防栓损坏,灭火器过期", "小区围墙有裂缝,担心倒塌"],
    "就业帮扶": ["{who}失业在家,希望介绍就业岗位", "希望社区开展就业技能培训"],
    "文体活动": ["希望社区多组织老年人文体活动", "活动室开放时间太短,希望周末也开放"],
    "其他": ["希望居委会公开小区维修资金使用情况", "物业服务不到位,希望更换物业"],
}
WEIGHTS = {"加装电梯": 14, "停车难": 12, "楼道照明": 8, "垃圾分类": 8, "助餐": 8, "噪音扰民": 9, "房屋修缮": 10,
           "医疗健康": 7, "养老服务": 7, "环境卫生": 6, "安全隐患": 5, "就业帮扶": 2, "文体活动": 2, "其他": 2}
WHO = ["老人", "独居老人", "王阿姨", "李老伯", "居民", "残疾人家庭", "高龄老人"]
LAKE_SOURCES = {"12345历史": 1500, "房管报修": 1000, "市场监管投诉": 500}
LAKE_TEXTS = {
    "12345历史": ["反映楼道照明损坏", "反映小区停车难", "反映夜间施工噪音扰民", "反映垃圾清运不及时", "咨询加装电梯政策"],
    "房管报修": ["卫生间漏水", "屋顶渗水", "外墙脱落", "下水道堵塞", "楼道窗户破损"],
    "市场监管投诉": ["商铺油烟扰民", "饭店占道经营", "超市售卖过期食品", "理发店预付卡退费难", "药店价格不明码标价"],
}


def _text(rng: random.Random, category: str) -> str:
    text = rng.choice(THEMES[category])
    return text.format(who=rng.choice(WHO), floor=rng.choice(["五", "六", "四"]), place=rng.choice(["本楼", "我家", "3号"]))


def _actors() -> dict:
    cadres: dict[int, User] = {}
    for user in User.objects.filter(role=Role.CADRE, is_active=True, neighbourhood__isnull=False).order_by("pk"):
        cadres.setdefault(user.neighbourhood_id, user)
    handler = User.objects.filter(role=Role.HANDLER, is_active=True, department__isnull=False).order_by("pk").first()
    return {"cadres": cadres, "system": system_user(), "handler": handler,
            "dispatcher": User.objects.filter(role=Role.DISPATCHER, is_active=True).first(),
            "callback": User.objects.filter(role=Role.CALLBACK, is_active=True).first()}


def load_needs(*, seed: int = 2026, count: int = 3000, case_share: float = 0.1, lake: bool = True,
               now: datetime | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    now = now or clock.now()
    today = now.date()
    actors = _actors()
    for order, name in enumerate(THEMES):  # seeded by a migration, but a flushed database has lost them
        NeedCategory.objects.get_or_create(name=name, defaults={"order": (order + 1) * 10})
    categories = {c.name: c for c in NeedCategory.objects.all()}
    names = [n for n in THEMES if n in categories]
    households = list(Household.objects.filter(neighbourhood__isnull=False).values_list("pk", "neighbourhood_id",
                                                                                          "grid_id"))
    if not households or not names:
        return {"needs": 0, "cases": 0, "lake_records": 0}
    visits = list(Visit.objects.filter(household__isnull=False, neighbourhood__isnull=False)
                  .values_list("pk", "household_id", "neighbourhood_id", "visited_on")[:20000])
    rng.shuffle(visits)
    nb_of = {pk: nb for pk, nb, _ in households}
    needs = []
    for i in range(count):
        category = categories[rng.choices(names, weights=[WEIGHTS[n] for n in names])[0]]
        visit = visits[i] if i < len(visits) and rng.random() < 0.5 else None
        if visit:
            household_id, nb, raised_on, source = visit[1], visit[2], visit[3], NeedSource.VISIT
        else:
            household_id, nb, _ = rng.choice(households)
            raised_on = today - timedelta(days=rng.randrange(365))
            source = rng.choices([NeedSource.VISIT, NeedSource.QUESTIONNAIRE, NeedSource.COUNCIL, NeedSource.OTHER],
                                 weights=[70, 15, 10, 5])[0]
        actor = actors["cadres"].get(nb_of.get(household_id, nb)) or actors["system"]
        needs.append(Need(
            category=category, urgency=rng.choices(NeedUrgency.values, weights=[70, 22, 8])[0],
            text=_text(rng, category.name), household_id=household_id, neighbourhood_id=nb, source=source,
            visit_id=visit[0] if visit else None, raised_on=raised_on,
            created_at=datetime.combine(raised_on, datetime.min.time(), tzinfo=now.tzinfo) + timedelta(hours=10),
            created_by=actor))
    with transaction.atomic():
        Need.objects.bulk_create(needs, batch_size=1000)
        NeedEvent.objects.bulk_create([NeedEvent(need=n, action="create", actor=n.created_by, at=n.created_at,
                                                 payload={"category": n.category.name, "source": n.source})
                                       for n in needs], batch_size=1000)
    cases = _cases(rng, needs, actors, share=case_share)
    resolved = 0
    for need in rng.sample(needs, k=min(len(needs), count // 5)):
        if need.status == NeedStatus.OPEN and need.created_by.role != Role.SYSTEM:
            need_resolve(actor=need.created_by, need=need, outcome="已联系物业处理,居民表示认可")
            resolved += 1
    records = _lake(rng, today) if lake else 0
    return {"needs": len(needs), "cases": cases, "resolved": resolved, "lake_records": records}


def _cases(rng: random.Random, needs: list[Need], actors: dict, *, share: float) -> int:
    """~share of the needs through need_open_case, then on through the case services to various stages."""
    from cases import services as case_services

    handler, dispatcher, callback = actors["handler"], actors["dispatcher"], actors["callback"]
    chosen = [n for n in needs if n.created_by.role == Role.CADRE]
    chosen = rng.sample(chosen, k=min(len(chosen), int(len(needs) * share)))
    department = Department.objects.get(pk=handler.department_id) if handler else None
    from org.models import Category

    leaf = Category.objects.filter(parent__isnull=False).order_by("pk").first()
    opened = 0
    now = clock.now()

    def at(need: Need, hours: float):  # each step on the need's own timeline, never after the demo's now
        return clock.frozen_at(min(now, need.created_at + timedelta(hours=hours)))

    for need in chosen:
        stage = rng.random()
        # The centre dispatches within the day and calls back within days: a case of a need older than a week is
        # at least called back, and only the last week's are still on the desks (queues of dozens of stale cases
        # would bury the live ones).
        if now - need.created_at > timedelta(days=7):
            stage = 0.65 + stage * 0.35
        with at(need, 1):
            case = need_open_case(actor=need.created_by, need=need)
        opened += 1
        if not (handler and dispatcher and callback):
            continue
        with at(need, 2):
            case_services.case_dispatch(actor=dispatcher, case=case, lead_department=department,
                                        category=None if case.category_id else leaf)
        if stage < 0.35:
            continue
        with at(need, 4):
            case_services.case_sign(actor=handler, case=case)
            case_services.case_record_first_contact(actor=handler, case=case, method="phone", outcome="已电话联系居民")
        if stage < 0.5:
            continue
        with at(need, 50):
            case_services.case_finish(actor=handler, case=case, result=rng.choice(
                ["已现场查看并协调物业维修完毕", "已纳入年度计划,先行临时处置", "已与居民沟通,做好解释工作"]))
        if stage < 0.65:
            continue
        satisfied = rng.random() < 0.85
        with at(need, 74):
            case_services.case_callback(actor=callback, case=case, satisfaction="satisfied" if satisfied else "unsatisfied",
                                        solved=satisfied, first_contacted=True, remarks="" if satisfied else "问题仍未解决")
            if satisfied and stage > 0.8:
                case_services.case_close(actor=callback, case=case)
    return opened


def _lake(rng: random.Random, today) -> int:
    """Three sources' exports written as CSV (one GB18030, as old systems write them) and imported."""
    addresses = list(Household.objects.order_by("pk").values_list("address", flat=True)[:5000])
    if not addresses:
        return 0
    created = 0
    with tempfile.TemporaryDirectory() as folder:
        for number, (source, rows) in enumerate(LAKE_SOURCES.items()):
            path = Path(folder) / f"lake-{number}.csv"
            encoding = "gb18030" if source == "房管报修" else "utf-8-sig"
            with open(path, "w", encoding=encoding, newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["编号", "日期", "地址", "内容", "分类"])
                for i in range(rows):
                    address = rng.choice(addresses)
                    roll = rng.random()
                    if roll < 0.2:
                        address = "上海市静安区" + address.split("号")[0] + "号"  # the building only
                    elif roll < 0.27:
                        address = f"{rng.choice(['南京西路', '长寿路', '武宁路'])}{rng.randrange(1, 900)}号"
                    text = rng.choice(LAKE_TEXTS[source])
                    day = today - timedelta(days=rng.randrange(730))
                    writer.writerow([f"{source[:2]}-{i:06d}", day.isoformat(), address,
                                     "" if rng.random() < 0.01 else text, text[2:6]])
            created += lake_import_file(actor=system_user(), path=path, source_name=source).created
    return created
