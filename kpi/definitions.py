"""三率 and friends (13 KPIs), each with its written definition and one database aggregate (no loop over cases).

Membership: a KPI for a period counts the cases *registered* in [start, end) (受理时间), so a period's figures
stop moving once its cases are closed. Rates are numerator / denominator and None when the denominator is 0.
"Called back" means the latest 回访 (a 重办 clears the previous one, so a re-opened case counts once, with its
final callback). Deadlines and times are those of the latest handling round: a 重办 sets new ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q, Sum

from cases.models import Satisfaction, State

DISPATCHED = Q(dispatched_at__isnull=False)
CALLED_BACK = ~Q(satisfaction="")
HANDLED = Q(handled_at__isnull=False)


@dataclass(frozen=True)
class Kpi:
    code: str
    name: str
    definition: str
    numerator: Q | None  # None: a count/sum, not a rate
    denominator: Q | None = None
    sum_field: str | None = None
    avg_field: str | None = None  # an average over the cases where the field is set (denominator: how many)

    @property
    def unit(self) -> str:
        if self.avg_field:
            return "hours"
        return "count" if self.denominator is None else "rate"

    def aggregates(self) -> dict:
        if self.avg_field:
            return {f"{self.code}__n": Avg(self.avg_field),
                    f"{self.code}__d": Count("id", filter=Q(**{f"{self.avg_field}__isnull": False}))}
        if self.sum_field:
            return {f"{self.code}__n": Sum(self.sum_field, default=0)}
        result = {f"{self.code}__n": Count("id", filter=self.numerator)}
        if self.denominator is not None:
            result[f"{self.code}__d"] = Count("id", filter=self.denominator)
        return result


KPIS: list[Kpi] = [
    Kpi("sign_on_time", "按时签收率", "派单后在签收时限内签收的工单数 ÷ 已派单工单数(未签收的计为未按时)",
        DISPATCHED & Q(signed_at__lte=F("sign_deadline")), DISPATCHED),
    Kpi("first_contact", "先行联系率", "在先联时限内先行联系诉求人的工单数 ÷ 已派单工单数",
        DISPATCHED & Q(first_contact_at__lte=F("first_contact_deadline")), DISPATCHED),
    Kpi("handled_on_time", "按时办结率", "在办结期限内办结的工单数 ÷ 已办结工单数",
        HANDLED & Q(handled_at__lte=F("handle_deadline")), HANDLED),
    Kpi("overdue", "超时数", "被标记超时或办结晚于期限的工单数",
        Q(is_overdue=True) | (HANDLED & Q(handled_at__gt=F("handle_deadline")))),
    Kpi("solved", "实际解决率", "回访确认问题已实际解决的工单数 ÷ 已回访工单数", CALLED_BACK & Q(solved=True), CALLED_BACK),
    Kpi("satisfied", "满意率", "回访满意与基本满意的工单数 ÷ 已回访工单数",
        Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY]), CALLED_BACK),
    Kpi("unsatisfied", "不满意数", "任一次回访为不满意的工单数(含已重办的)",
        Q(satisfaction=Satisfaction.UNSATISFIED) | Q(reopen_count__gt=0)),
    Kpi("returned", "退单率", "发生过退单(同意)的工单数 ÷ 已派单工单数", DISPATCHED & Q(return_count__gt=0), DISPATCHED),
    Kpi("reopened", "重办率", "发生过重办的工单数 ÷ 已回访工单数", CALLED_BACK & Q(reopen_count__gt=0), CALLED_BACK),
    Kpi("extended", "延期率", "获准延期的工单数 ÷ 已派单工单数", DISPATCHED & Q(extension_count__gt=0), DISPATCHED),
    Kpi("duplicates", "重复件占比", "合并为重复件的工单数 ÷ 受理工单数", Q(state=State.MERGED), Q()),
    Kpi("chases", "催单数", "诉求人催单次数之和", None, sum_field="chase_count"),
    Kpi("handling_hours", "平均办理时长", "已办结工单从派单到办结经过的工作小时数的平均值(按最近一轮处置;单位:工作小时)",
        None, avg_field="handling_hours"),
]
LOWER_IS_BETTER = frozenset({"overdue", "unsatisfied", "returned", "reopened", "extended", "duplicates", "chases",
                             "handling_hours"})
KPI_BY_CODE = {k.code: k for k in KPIS}
