"""The monthly 情况分析 report: each generation is one archived Report with its Word and PDF files."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Report(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    month = models.DateField("月份", help_text="该月第一天")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    stage = models.CharField("当前步骤", max_length=60, blank=True)
    # Paths relative to MEDIA_ROOT, set only once both files are completely written (never a half file).
    docx_path = models.CharField("Word 文件", max_length=200, blank=True)
    pdf_path = models.CharField("PDF 文件", max_length=200, blank=True)
    summary = models.TextField("摘要", blank=True)
    error = models.TextField("错误", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="生成人")
    requested_at = models.DateTimeField("申请时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Set with every step: a report queued or generating with no step for BACKGROUND_STALE_SECONDS lost its worker
    # (killed mid-generation, or never queued) and may be generated again.
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "情况分析报告"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}情况分析"

    @property
    def is_stale(self) -> bool:
        from core.background import is_stale

        return self.status in (self.Status.QUEUED, self.Status.RUNNING) and is_stale(self.heartbeat_at or self.requested_at)

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stale

    @property
    def title(self) -> str:
        return f"{settings.STREET_NAME}{self.month.year}年{self.month.month}月12345热线及城运工单情况分析"
