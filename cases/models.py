"""Cases (工单): the case itself, its department assignments, attachments, the append-only event log,
the requests a dispatcher decides (退单, 延期) and the idempotency keys of the API."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from org.models import Category, Department, Estate, Grid, Neighbourhood


class State(models.TextChoices):
    REGISTERED = "registered", "已受理"
    DISPATCHED = "dispatched", "已派单"
    RETURN_REQUESTED = "return_requested", "退单待审"
    SIGNED = "signed", "已签收"
    HANDLING = "handling", "处置中"
    SUSPENDED = "suspended", "挂账"
    HANDLED = "handled", "已办结"
    CALLED_BACK = "called_back", "已回访"
    CLOSED = "closed", "已结案"
    MERGED = "merged", "已合并"


# Named groups of states, declared once next to the states (the lifecycle table and every query use these).
OPEN_STATES = frozenset(set(State.values) - {State.CLOSED, State.MERGED})
FINISHED_STATES = frozenset({State.CLOSED, State.MERGED})
# A handler is working on it (签收 done): 先联, 处置进展, 延期, 挂账 apply.
WORKING_STATES = frozenset({State.SIGNED, State.HANDLING})
# The handling deadline runs (dispatched and not yet 办结, not 挂账): the states 超时 is swept in.
DEADLINE_STATES = frozenset({State.DISPATCHED, State.RETURN_REQUESTED, State.SIGNED, State.HANDLING})
# With a department: the handler queues' 处置中 (挂账 included).
ASSIGNED_STATES = DEADLINE_STATES | {State.SUSPENDED}
# 办结 and waiting for 回访 / 结案: the callback desk.
HANDLED_STATES = frozenset({State.HANDLED, State.CALLED_BACK})


# Length limits of free texts, one place for the model's readers, the page forms and the API schemas: the 诉求内容
# of a case, and the long texts of the actions (办结情况, 说明, 理由, 联系情况…). Over-long input is refused, never cut.
CONTENT_MAX_LENGTH = 5000
LONG_TEXT_MAX_LENGTH = 5000


class Source(models.TextChoices):
    HOTLINE = "hotline", "12345热线"
    PATROL = "patrol", "网格巡查"
    VISIT = "visit", "民情走访"
    COUNCIL = "council", "理事会"
    INSPECTION = "inspection", "创评督查"
    SENSOR = "sensor", "传感器"
    SELF_REPORT = "self_report", "居民自报"
    WALK_IN = "walk_in", "来访"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class Case(models.Model):
    number = models.CharField("工单编号", max_length=32, unique=True)
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    hotline_number = models.CharField("热线工单号", max_length=40, blank=True, db_index=True)
    title = models.CharField("标题", max_length=120)
    content = models.TextField("诉求内容")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name="类别"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    # No single-column indexes on neighbourhood, estate and lead_department: the (neighbourhood, state),
    # (estate, registered_at) and (lead_department, state) indexes below serve those lookups, and every index
    # is written by each registration (a 200,000-row hotline import writes each one 200,000 times).
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name="居民区",
        db_index=False,
    )
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name="小区",
        db_index=False,
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name="网格"
    )
    # Personal data of the 诉求人: masked for roles without need, every unmasked view audited.
    citizen_name = models.CharField("诉求人", max_length=50, blank=True)
    citizen_phone = models.CharField("联系电话", max_length=30, blank=True)
    # A 12345 row whose phone is not a valid number is imported anyway, the number kept as given (masked like any
    # phone) and flagged 待核实 on the case, rather than the whole complaint refused.
    citizen_phone_unverified = models.BooleanField("联系电话待核实", default=False)
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)

    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.REGISTERED, db_index=True)
    version = models.PositiveIntegerField("版本", default=0)
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="lead_cases", verbose_name="主办单位",
        db_index=False,
    )
    master = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates", verbose_name="主工单"
    )

    registered_at = models.DateTimeField("受理时间", db_index=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    first_contact_at = models.DateTimeField("先联时间", null=True, blank=True)
    handled_at = models.DateTimeField("办结时间", null=True, blank=True)
    called_back_at = models.DateTimeField("回访时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)

    sign_deadline = models.DateTimeField("签收期限", null=True, blank=True)
    first_contact_deadline = models.DateTimeField("先联期限", null=True, blank=True)
    handle_deadline = models.DateTimeField("办结期限", null=True, blank=True, db_index=True)
    # The 12345 centre's 要求办结时间: it binds the street as well as the category's own time limit. At each 派单 the
    # earlier of the two becomes handle_deadline (cases.services.lifecycle._set_deadlines); an approved 延期 is a
    # decision of the street and replaces it like any deadline.
    hotline_due_at = models.DateTimeField("12345要求办结时间", null=True, blank=True)

    is_overdue = models.BooleanField("超时", default=False)  # read through the partial case_open_backlog index
    sign_escalated = models.BooleanField("未签收已督办", default=False)
    urge_count = models.PositiveIntegerField("督办次数", default=0)
    chase_count = models.PositiveIntegerField("催单次数", default=0)
    reopen_count = models.PositiveIntegerField("重办次数", default=0)
    return_count = models.PositiveIntegerField("退单次数", default=0)
    extension_count = models.PositiveIntegerField("延期次数", default=0)
    satisfaction = models.CharField("满意度", max_length=20, choices=Satisfaction.choices, blank=True)
    solved = models.BooleanField("实际解决", null=True, blank=True)
    first_contact_confirmed = models.BooleanField("诉求人确认先联", null=True, blank=True)
    handling_result = models.TextField("办结情况", blank=True)
    # Working hours from the latest 派单 to 办结, fixed when the case is handled so averages stay database aggregates.
    handling_hours = models.FloatField("办理时长(工作小时)", null=True, blank=True)
    suspended_review_date = models.DateField("挂账复查日期", null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_cases", verbose_name="受理人"
    )

    class Meta:
        verbose_name = verbose_name_plural = "工单"
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["lead_department", "state"]),
            models.Index(fields=["neighbourhood", "state"]),
            # Duplicate detection's recent cases of a 小区 (created as dispatch_case_estate_registered by
            # dispatch 0002, part of this model since cases 0007).
            models.Index(fields=["estate", "registered_at"], name="case_estate_registered"),
            models.Index(fields=["address"]),
            # The open backlog is a few percent of all cases: the overview's counts by state, 超时 and 督办 read
            # this small partial index instead of scanning every case ever registered.
            models.Index(fields=["state", "is_overdue", "urge_count"], name="case_open_backlog",
                         condition=models.Q(state__in=sorted(OPEN_STATES))),
        ]

    def __str__(self) -> str:
        # The number alone: the title may name the citizen, and str() ends up in admin pages, links and logs.
        return self.number

    @property
    def handle_deadline_source(self) -> str:
        """Which time limit handle_deadline is: the hotline's 要求办结时间 or the street's own."""
        if self.hotline_due_at is not None and self.handle_deadline == self.hotline_due_at:
            return "12345要求办结时间"
        return "街道时限"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class Assignment(models.Model):
    """A department's share of a case: one lead (主办) and any co-handlers (协办). Ended rows stay as history."""

    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        CO = "co", "协办"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments", verbose_name="工单")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="assignments", verbose_name="单位"
    )
    role = models.CharField("角色", max_length=10, choices=Role.choices)
    assigned_at = models.DateTimeField("派单时间")
    reported_at = models.DateTimeField("反馈时间", null=True, blank=True)
    report = models.TextField("反馈内容", blank=True)
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "派单记录"
        indexes = [models.Index(fields=["department", "active"])]


class Request(models.Model):
    """A handler's request the centre must decide: 退单 (return) or 延期 (extension)."""

    class Kind(models.TextChoices):
        RETURN = "return", "退单"
        EXTENSION = "extension", "延期"

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已同意"
        REJECTED = "rejected", "已驳回"
        EXPIRED = "expired", "已失效"  # the case moved on (办结, 挂账, 合并) before anyone decided

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="requests", verbose_name="工单")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField("理由")
    requested_deadline = models.DateTimeField("申请延至", null=True, blank=True)
    # 延期: the working days asked for; on approval they count from the later of the old deadline and the approval.
    extra_days = models.PositiveSmallIntegerField("申请延期工作日", null=True, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="requests", verbose_name="申请单位"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="审核人",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_reason = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "退单/延期申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"], condition=models.Q(status="pending"), name="one_pending_request_per_kind"
            )
        ]


class AppendOnlyError(Exception):
    pass


class CaseEvent(models.Model):
    """Append-only history: every state change and every recorded act on a case is one row."""

    # case and action are read through the (case, at) and (action, at) indexes, no single-column ones.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", verbose_name="工单",
                             db_index=False)
    action = models.CharField("操作", max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_events", verbose_name="操作人"
    )
    at = models.DateTimeField("时间", db_index=True)
    from_state = models.CharField("原状态", max_length=20, blank=True)
    to_state = models.CharField("新状态", max_length=20)
    note = models.TextField("说明", blank=True)
    payload = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工单事件"
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"]),
            models.Index(fields=["action", "at"], name="event_action_at"),
            # 不满意 callbacks are a few per cent of the events: the dashboard's and the report's 不满意 lists read
            # this partial index instead of every event of the month.
            models.Index(fields=["at"], name="event_unsatisfied_callback",
                         condition=models.Q(action="callback", payload__satisfaction="unsatisfied")),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("工单事件只能追加,不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("工单事件只能追加,不能删除")


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"cases/{instance.case_id}/{filename}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments", verbose_name="工单")
    event = models.ForeignKey(CaseEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = verbose_name_plural = "附件"


class CaseCounter(models.Model):
    """Per-year sequence for case numbers; the row is locked while a number is taken."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class IdempotencyKey(models.Model):
    """An API client's Idempotency-Key: a retried create returns the case made the first time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique")]
