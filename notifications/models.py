"""In-app notifications: who must know about which case event, and whether they have read it."""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "新派单"
        URGED = "urged", "督办"
        DEADLINE = "deadline", "临近期限"
        OVERDUE = "overdue", "已超时"
        REQUEST_DECIDED = "request_decided", "申请已审核"
        REQUEST_PENDING = "request_pending", "待审核申请"
        REOPENED = "reopened", "重办"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="notifications", verbose_name="工单")
    event = models.ForeignKey("cases.CaseEvent", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    message = models.CharField("内容", max_length=300)
    created_at = models.DateTimeField("时间", db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            # One deadline reminder per case and user: the sweep runs every few minutes.
            models.UniqueConstraint(fields=["user", "case", "kind"], condition=models.Q(kind="deadline"),
                                    name="one_deadline_notice"),
        ]
