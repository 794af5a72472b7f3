"""From pain points to 十大民生: themes found in needs, cases and data-lake records (Chinese text similarity, place and
category), which people rename, merge, split and pin; the year's ten projects the leaders pick from the ranked themes,
with owner, budget, milestones and progress; and 回音, telling the households whose needs a project answers what came
of them, with a sample called back for satisfaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models import Case
from minqing.models import LakeRecord, Need
from org.models import Department, Neighbourhood
from registry.models import Household, Person


class AppendOnlyError(Exception):
    pass


class ThemeRun(models.Model):
    """One clustering run over the records of a period (minsheng/clustering.py), with its counts and parameters."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "计算中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    period_start = models.DateField("起始日期")
    period_end = models.DateField("截止日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    records = models.PositiveIntegerField("记录数", default=0)
    themes = models.PositiveIntegerField("主题数", default=0)
    params = models.JSONField("参数", default=dict, blank=True)
    error = models.CharField("错误", max_length=500, blank=True, default="")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="发起人")

    class Meta:
        verbose_name = verbose_name_plural = "主题聚类"
        ordering = ["-started_at"]


class Theme(models.Model):
    """A pain point: a group of needs, cases and records. Machine-made at first; a person's rename, merge, split or
    pin is kept across later runs (pinned themes and their hand-placed members are never re-clustered away)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "有效"
        MERGED = "merged", "已合并"
        HIDDEN = "hidden", "已隐藏"

    name = models.CharField("主题", max_length=60)
    keywords = models.CharField("关键词", max_length=200, blank=True, default="")
    summary = models.TextField("说明", blank=True, default="")
    category_label = models.CharField("主要类别", max_length=60, blank=True, default="")
    run = models.ForeignKey(ThemeRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                            verbose_name="聚类批次")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged",
                                    verbose_name="并入")
    is_pinned = models.BooleanField("置顶/锁定", default=False)
    named_by_person = models.BooleanField("人工命名", default=False)
    # Kept counts, refreshed by the services whenever members change: the ranking reads these.
    member_count = models.PositiveIntegerField("记录数", default=0)
    household_count = models.PositiveIntegerField("涉及户数", default=0)
    score = models.FloatField("排序分", default=0)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "民生主题"
        ordering = ["-is_pinned", "-score", "id"]

    def __str__(self) -> str:
        return self.name


class MemberKind(models.TextChoices):
    NEED = "need", "需求"
    CASE = "case", "工单"
    LAKE = "lake", "数据湖"


class ThemeMember(models.Model):
    """One need, case or lake record in a theme (each in at most one active theme)."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="members", verbose_name="主题")
    kind = models.CharField("类型", max_length=5, choices=MemberKind.choices)
    need = models.ForeignKey(Need, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name="需求")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name="工单")
    lake_record = models.ForeignKey(LakeRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                    verbose_name="数据湖记录")
    household = models.ForeignKey(Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name="户")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name="居民区")
    occurred_on = models.DateField("日期", null=True, blank=True)
    placed_by_person = models.BooleanField("人工归入", default=False)
    similarity = models.FloatField("相似度", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "主题记录"
        indexes = [models.Index(fields=["theme", "occurred_on"], name="themember_theme_on")]
        constraints = [
            models.UniqueConstraint(fields=["need"], condition=Q(need__isnull=False), name="themember_unique_need"),
            models.UniqueConstraint(fields=["case"], condition=Q(case__isnull=False), name="themember_unique_case"),
            models.UniqueConstraint(fields=["lake_record"], condition=Q(lake_record__isnull=False),
                                    name="themember_unique_lake"),
        ]


class ThemeEvent(models.Model):
    """Append-only: a person's rename, merge, split, pin, move of members, or a run's regrouping."""

    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="events", verbose_name="主题")
    action = models.CharField("操作", max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="操作人")
    at = models.DateTimeField("时间")
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "主题记录变更"
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("主题变更记录只能追加,不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("主题变更记录只能追加,不能删除")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", "筹备中"
    IN_PROGRESS = "in_progress", "推进中"
    DELAYED = "delayed", "滞后"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"


class Project(models.Model):
    """十大民生 project of a year: picked by the leaders from the ranked themes, answering needs and cases."""

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    rank = models.PositiveSmallIntegerField("序号")  # 1…10 within the year
    title = models.CharField("项目名称", max_length=100)
    description = models.TextField("项目内容", blank=True, default="")
    theme = models.ForeignKey(Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="projects",
                              verbose_name="来源主题")
    owner_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="minsheng_projects",
                                         verbose_name="牵头部门")
    budget = models.DecimalField("预算(万元)", max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    is_public = models.BooleanField("对外公开", default=True)
    public_summary = models.CharField("公开说明", max_length=300, blank=True, default="")
    needs = models.ManyToManyField(Need, blank=True, related_name="projects", verbose_name="回应的需求")
    cases = models.ManyToManyField(Case, blank=True, related_name="minsheng_projects", verbose_name="回应的工单")
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="创建人")
    updated_at = models.DateTimeField("更新时间")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "十大民生项目"
        ordering = ["-year", "rank"]
        constraints = [models.UniqueConstraint(fields=["year", "rank"], name="project_unique_year_rank")]

    def __str__(self) -> str:
        return f"{self.year}年十大民生 {self.rank}. {self.title}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones", verbose_name="项目")
    title = models.CharField("节点", max_length=100)
    due_on = models.DateField("计划日期")
    done_on = models.DateField("完成日期", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True, default="")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "项目节点"
        ordering = ["project_id", "order", "due_on", "id"]


class ProjectEvent(models.Model):
    """Append-only history of a project: created, edited (before → after), milestone done, status, 回音 sent."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events", verbose_name="项目")
    action = models.CharField("操作", max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="操作人")
    at = models.DateTimeField("时间")
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField("说明", blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "项目记录"
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("项目记录只能追加,不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("项目记录只能追加,不能删除")


class Echo(models.Model):
    """回音: a household told that a project answering its need reached a milestone or ended."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="echoes", verbose_name="项目")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, null=True, blank=True, related_name="echoes",
                                  verbose_name="节点")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="echoes", verbose_name="户")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="echoes",
                               verbose_name="告知对象")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, null=True, blank=True, related_name="echoes",
                             verbose_name="需求")
    text = models.CharField("告知内容", max_length=300)
    sent_at = models.DateTimeField("告知时间")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name="告知人")
    channel = models.CharField("渠道", max_length=20, default="sms")
    in_callback_sample = models.BooleanField("抽样回访", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "民生回音"
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["project", "milestone", "household"],
                                               name="echo_unique_household_milestone")]


class EchoCallback(models.Model):
    """A sampled household called back about a project: satisfaction and remarks."""

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY = "basically", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"
        UNREACHED = "unreached", "未接通"

    echo = models.OneToOneField(Echo, on_delete=models.PROTECT, related_name="callback", verbose_name="回音")
    satisfaction = models.CharField("满意度", max_length=12, choices=Satisfaction.choices)
    remarks = models.TextField("意见", blank=True, default="")
    called_at = models.DateTimeField("回访时间")
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="回访人")

    class Meta:
        verbose_name = verbose_name_plural = "民生回访"
