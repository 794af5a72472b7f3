"""人民情感日志 (民情日志, seed 003: 进百门,知百情,解百难,暖百心): visit plans and visits to households and units, the
needs raised in them (and in questionnaires, councils and imports), needs that become cases, and the "data lake" of
other systems' records joined to the registry by address.

Visits and needs point at the registry (Household, Unit, Person) and at cases; a need opens its case only through
`cases` services and hears the case's 办结 and 回访 only through the case-event signal (minqing/listeners.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from org.models import Category, Neighbourhood
from questionnaires.models import Submission
from registry.models import Household, Person, Unit


class AppendOnlyError(Exception):
    pass


class PlanRule(models.TextChoices):
    MANUAL = "manual", "手工选择"
    ALONE_ELDERLY_MONTHLY = "alone_elderly_monthly", "独居老人每月一访"
    ALL_HOUSEHOLDS_YEARLY = "all_households_yearly", "每户每年一访"
    TAGGED = "tagged", "按标签"
    UNITS_YEARLY = "units_yearly", "驻区单位每年一访"


class VisitPlan(models.Model):
    """走访计划: which households/units (targets), by whom, by when, in one 居民区."""

    class Status(models.TextChoices):
        ACTIVE = "active", "进行中"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已取消"

    title = models.CharField("计划名称", max_length=100)
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, related_name="visit_plans",
                                      verbose_name="居民区")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_plans",
                                 verbose_name="走访人")
    rule = models.CharField("生成规则", max_length=30, choices=PlanRule.choices, default=PlanRule.MANUAL)
    rule_tag = models.CharField("标签", max_length=30, blank=True, default="")  # for PlanRule.TAGGED
    starts_on = models.DateField("开始日期")
    due_on = models.DateField("完成期限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    note = models.CharField("说明", max_length=300, blank=True, default="")
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="创建人")

    class Meta:
        verbose_name = verbose_name_plural = "走访计划"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["neighbourhood", "status", "due_on"], name="visitplan_nb_due")]

    def __str__(self) -> str:
        return self.title


class VisitPlanTarget(models.Model):
    """One household or unit a plan must reach; `visit` is the visit that did (null until then)."""

    plan = models.ForeignKey(VisitPlan, on_delete=models.CASCADE, related_name="targets", verbose_name="计划")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name="户")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name="单位")
    visit = models.ForeignKey("Visit", on_delete=models.SET_NULL, null=True, blank=True, related_name="plan_targets",
                              verbose_name="走访")

    class Meta:
        verbose_name = verbose_name_plural = "走访对象"
        constraints = [
            models.UniqueConstraint(fields=["plan", "household"], condition=Q(household__isnull=False),
                                    name="plantarget_unique_household"),
            models.UniqueConstraint(fields=["plan", "unit"], condition=Q(unit__isnull=False),
                                    name="plantarget_unique_unit"),
            models.CheckConstraint(condition=Q(household__isnull=False) ^ Q(unit__isnull=False),
                                   name="plantarget_household_xor_unit"),
        ]


class VisitOutcome(models.TextChoices):
    MET = "met", "见面"
    ABSENT = "absent", "未遇"
    REFUSED = "refused", "拒访"


class Visit(models.Model):
    """走访记录: a visit to one household or unit, with its outcome, notes, questionnaires and needs."""

    visited_on = models.DateField("走访日期", db_index=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True, related_name="visits",
                                  verbose_name="户")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="visits",
                             verbose_name="单位")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="visits", verbose_name="居民区")
    visitors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="visits", verbose_name="走访人")
    companions = models.CharField("同行人员", max_length=200, blank=True, default="")  # people without a login
    met_person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="visits",
                                   verbose_name="接待人")
    outcome = models.CharField("结果", max_length=10, choices=VisitOutcome.choices)
    notes = models.TextField("走访情况", blank=True, default="")
    submissions = models.ManyToManyField(Submission, blank=True, related_name="visits", verbose_name="问卷")
    created_at = models.DateTimeField("记录时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="记录人")

    class Meta:
        verbose_name = verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["household", "visited_on"], name="visit_household_on"),
            models.Index(fields=["neighbourhood", "visited_on"], name="visit_nb_on"),
        ]
        constraints = [models.CheckConstraint(condition=Q(household__isnull=False) | Q(unit__isnull=False),
                                              name="visit_has_place")]


class VisitEvent(models.Model):
    """Append-only history of plans and visits: 计划创建/调整/取消/完成, 走访登记/更正 — actor, time and what changed."""

    plan = models.ForeignKey(VisitPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="events",
                             verbose_name="计划")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="events",
                              verbose_name="走访")
    action = models.CharField("操作", max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="操作人")
    at = models.DateTimeField("时间")
    note = models.TextField("说明", blank=True, default="")
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访记录日志"
        ordering = ["at", "id"]
        constraints = [models.CheckConstraint(condition=Q(plan__isnull=False) | Q(visit__isnull=False),
                                              name="visitevent_has_subject")]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("走访记录日志只能追加,不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("走访记录日志只能追加,不能删除")


class NeedCategory(models.Model):
    """需求类别 (an admin list: 养老服务, 加装电梯, 停车, 环境卫生 …), each mapped to the case category a need opens."""

    name = models.CharField("名称", max_length=30, unique=True)
    case_category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                      verbose_name="对应工单小类")
    is_active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = verbose_name_plural = "需求类别"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class NeedSource(models.TextChoices):
    VISIT = "visit", "走访"
    QUESTIONNAIRE = "questionnaire", "问卷"
    COUNCIL = "council", "理事会"
    IMPORT = "import", "导入"
    OTHER = "other", "其他"


class NeedUrgency(models.TextChoices):
    LOW = "low", "一般"
    MEDIUM = "medium", "较急"
    HIGH = "high", "紧急"


class NeedStatus(models.TextChoices):
    OPEN = "open", "待处理"
    CASE = "case", "已转工单"
    RESOLVED = "resolved", "已解决"
    UNRESOLVED = "unresolved", "未能解决"
    CLOSED = "closed", "已关闭"


class Need(models.Model):
    """需求/诉求 raised by a household or unit. It may become one case (`case`): the case's 办结 and 回访 come back
    here through the case-event signal and onto the household's timeline."""

    category = models.ForeignKey(NeedCategory, on_delete=models.PROTECT, related_name="needs", verbose_name="类别")
    urgency = models.CharField("紧急程度", max_length=10, choices=NeedUrgency.choices, default=NeedUrgency.LOW)
    text = models.TextField("需求内容")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True, related_name="needs",
                                  verbose_name="户")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="needs",
                             verbose_name="单位")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="needs",
                               verbose_name="提出人")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="needs", verbose_name="居民区")
    source = models.CharField("来源", max_length=15, choices=NeedSource.choices)
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="needs",
                              verbose_name="走访")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="needs",
                                   verbose_name="问卷")
    lake_record = models.ForeignKey("LakeRecord", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="needs", verbose_name="数据湖记录")
    status = models.CharField("状态", max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN,
                              db_index=True)
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="need",
                                verbose_name="工单")
    outcome = models.TextField("办理结果", blank=True, default="")
    raised_on = models.DateField("提出日期", db_index=True)
    resolved_at = models.DateTimeField("解决时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="登记人")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "需求"
        ordering = ["-raised_on", "-id"]
        indexes = [models.Index(fields=["neighbourhood", "status"], name="need_nb_status")]


class NeedEvent(models.Model):
    """Append-only history of a need: 登记, 转工单, 办结 and 回访 of its case, 解决, 关闭, 纳入民生项目 …"""

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="events", verbose_name="需求")
    action = models.CharField("操作", max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="操作人")
    at = models.DateTimeField("时间")
    note = models.TextField("说明", blank=True, default="")
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "需求记录"
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("需求记录只能追加,不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("需求记录只能追加,不能删除")


class LakeSource(models.Model):
    """A system whose records flow into the data lake (12345历史, 房管报修, 市场监管投诉 …)."""

    name = models.CharField("名称", max_length=50, unique=True)
    description = models.CharField("说明", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "数据湖来源"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LakeImport(models.Model):
    """One upload of a source's rows, with its counts (rows, matched to a household/unit, unmatched, rejected)."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    source = models.ForeignKey(LakeSource, on_delete=models.PROTECT, related_name="imports", verbose_name="来源")
    filename = models.CharField("文件名", max_length=200)
    content = models.BinaryField("文件", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField("行数", default=0)
    processed = models.PositiveIntegerField("已处理", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    duplicates = models.PositiveIntegerField("重复", default=0)
    matched = models.PositiveIntegerField("匹配到户/单位", default=0)
    unmatched = models.PositiveIntegerField("未匹配", default=0)
    rejected = models.PositiveIntegerField("拒绝", default=0)
    error = models.CharField("错误", max_length=500, blank=True, default="")
    created_at = models.DateTimeField("上传时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="上传人")

    class Meta:
        verbose_name = verbose_name_plural = "数据湖导入"
        ordering = ["-created_at"]


class LakeRecord(models.Model):
    """A row of another system: an address and a text (and a date, a category as that system names it), joined to a
    household or unit by the registry's address key."""

    class Match(models.TextChoices):
        HOUSEHOLD = "household", "按地址匹配到户"
        UNIT = "unit", "按地址匹配到单位"
        BUILDING = "building", "匹配到楼(号)"
        NONE = "none", "未匹配"

    source = models.ForeignKey(LakeSource, on_delete=models.PROTECT, related_name="records", verbose_name="来源")
    lake_import = models.ForeignKey(LakeImport, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="records", verbose_name="导入批次")
    external_id = models.CharField("原系统编号", max_length=60, blank=True, default="")
    occurred_on = models.DateField("日期", null=True, blank=True, db_index=True)
    address = models.CharField("地址", max_length=200, blank=True, default="")
    address_key = models.CharField("地址键", max_length=200, blank=True, default="", db_index=True)
    text = models.TextField("内容")
    category_text = models.CharField("原系统分类", max_length=100, blank=True, default="")
    household = models.ForeignKey(Household, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="lake_records", verbose_name="户")
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="lake_records",
                             verbose_name="单位")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name="居民区")
    match = models.CharField("匹配", max_length=10, choices=Match.choices, default=Match.NONE)
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = verbose_name_plural = "数据湖记录"
        ordering = ["-occurred_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], condition=~Q(external_id=""),
                                               name="lakerecord_unique_external_id")]


# --- issue18 needs ---
class LakeRejection(models.Model):
    """A row of a lake upload that was not taken, with the reason: downloadable, corrected and uploaded again."""

    lake_import = models.ForeignKey(LakeImport, on_delete=models.CASCADE, related_name="rejections",
                                    verbose_name="导入批次")
    row_number = models.PositiveIntegerField("行号")
    reason = models.CharField("原因", max_length=300)
    data = models.JSONField("原始数据", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "数据湖未导入行"
        ordering = ["lake_import_id", "row_number"]
# --- end issue18 needs ---
