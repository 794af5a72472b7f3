"""Made-up answers to the demo's two questionnaires (demo/xlsforms.py), from what the registry knows of a household:
its members' relations and ages. Every answer obeys the forms' rules (types, constraints, relevant, choice filters);
the visits demo still runs each through the server's engine (questionnaires.engine.validate) and stores what it
returns, exactly as a submission from the phone is stored."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from .xlsforms import CONDITIONS, HOUSING, NEED_CATEGORIES, RELATIONS

# registry Relation → the form's relation choice
RELATION_CHOICE = {"head": "head", "spouse": "spouse", "child": "child", "parent": "parent",
                   "grandchild": "grandchild", "tenant": "tenant"}
RELATION_NAMES = {name for name, _ in RELATIONS}
NEED_WEIGHTS = {"elevator": 14, "parking": 12, "lighting": 8, "waste": 8, "meals": 8, "noise": 9, "repairs": 10,
                "health": 7, "elderly_care": 7, "sanitation": 6, "safety": 5, "jobs": 2, "culture": 2,
                "greening": 2, "neighbours": 2, "other": 2}
REMARKS = ["家中情况稳定,已告知居委会联系电话", "住户配合登记,信息已核对", "已宣传垃圾分类和防诈骗知识",
           "提醒注意用电用气安全", "住户反映情况已记录,待居委会跟进", "家中有老人,已登记为重点关注户"]
NEED_TEXTS = {
    "other": ["希望公开小区维修资金使用情况", "物业服务不到位,希望改进", "希望增设快递柜"],
    "elevator": ["本楼老人多,上下楼困难", "希望了解加装电梯的补贴和流程"],
    "parking": ["晚上车位紧张,消防通道被占", "电瓶车在楼道充电有隐患"],
    "repairs": ["卫生间天花板渗水", "雨天墙面潮湿发霉"],
    "meals": ["希望助餐点能送餐上门"],
}
SUGGESTIONS = ["希望居委会多组织邻里活动", "希望走访时提前告知时间", "希望小区增加休息座椅", "希望加强夜间巡逻",
               "希望公布物业收费明细", "服务很好,谢谢社区工作人员"]


def age_band(birth: date | None, on: date) -> str:
    if birth is None:
        return "18_59"
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    if age < 18:
        return "under18"
    if age < 60:
        return "18_59"
    return "60_79" if age < 80 else "80plus"


def household_answers(rng: random.Random, *, members: list[tuple[int, str, date | None]], on: date, alone: bool,
                      point: tuple[float, float] | None, tenant: bool) -> dict[str, Any]:
    """户情基础信息 for a household whose open memberships are `members` (person id, relation, birth date)."""
    size = max(1, min(15, len(members)))
    bands = [age_band(birth, on) for _, _, birth in members] or ["18_59"]
    elderly = sum(1 for b in bands if b in ("60_79", "80plus"))
    housing = "private_rent" if tenant else rng.choices([n for n, _ in HOUSING], weights=[62, 20, 6, 7, 5])[0]
    data: dict[str, Any] = {
        "hh_size": size,
        "housing_type": housing,
        "age_bands": sorted(set(bands), key=["under18", "18_59", "60_79", "80plus"].index),
    }
    if size == 1:
        data["lives_alone"] = "yes" if alone or rng.random() < 0.8 else "no"
        if data["lives_alone"] == "yes" and elderly:
            data["solitary_elderly"] = "yes" if rng.random() < 0.3 else "no"
    if elderly:
        data["elderly_count"] = min(elderly, size)
    data["members"] = []
    for index, (_, relation, _) in enumerate(members[:15] or [(0, "head", None)]):
        item: dict[str, Any] = {"m_relation": RELATION_CHOICE.get(relation, "other"), "m_age_band": bands[index]}
        if rng.random() < 0.18:
            item["m_conditions"] = rng.sample([n for n, _ in CONDITIONS], k=rng.choice([1, 1, 2]))
        data["members"].append(item)
    if point is not None and rng.random() < 0.7:
        lat, lng = point
        data["location"] = f"{lat + rng.uniform(-0.0006, 0.0006):.6f} {lng + rng.uniform(-0.0009, 0.0009):.6f} 0 8"
    if rng.random() < 0.35:
        data["remarks"] = rng.choice(REMARKS)
    return data


def livelihood_answers(rng: random.Random) -> dict[str, Any]:
    """民生需求调查: mostly satisfied, a few unhappy (with a reason), one to three needs and the most pressing one."""
    def rating() -> str:
        return rng.choices(["5", "4", "3", "2", "1"], weights=[30, 40, 20, 7, 3])[0]

    data: dict[str, Any] = {"sat_overall": rating(), "sat_environment": rating(), "sat_property": rating(),
                            "sat_safety": rating()}
    if data["sat_overall"] in ("1", "2"):
        data["dissatisfied_reason"] = rng.choice(["反映的问题长时间没有解决", "物业服务差,居委会协调不够",
                                                  "小区环境脏乱", "停车问题一直没有改善"])
    names = [n for n, _, _ in NEED_CATEGORIES]
    picked: list[str] = []
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        name = rng.choices(names, weights=[NEED_WEIGHTS[n] for n in names])[0]
        if name not in picked:
            picked.append(name)
    data["need_categories"] = picked
    top = rng.choice(picked)
    data["top_need"] = top
    subs = next(s for n, _, s in NEED_CATEGORIES if n == top)
    data["need_detail"] = rng.choice(subs)[0]
    if top == "other" or (top in NEED_TEXTS and rng.random() < 0.4):
        data["need_text"] = rng.choice(NEED_TEXTS.get(top) or NEED_TEXTS["other"])
    if rng.random() < 0.85:
        data["years_lived"] = rng.choice([1, 2, 3, 5, 8, 10, 15, 20, 25, 30, 40, 50])
    data["join_council"] = "yes" if rng.random() < 0.3 else "no"
    if rng.random() < 0.25:
        data["suggestion"] = rng.choice(SUGGESTIONS)
    return data
