"""12345 hotline exchange: column-mapping profiles, import jobs with their progress, and rejected rows."""

from django.conf import settings
from django.db import models

# Our fields a hotline export can fill, with the Chinese header of the typical layout.
FIELDS = {
    "hotline_number": "工单编号", "called_at": "来电时间", "citizen_name": "诉求人", "citizen_phone": "联系电话",
    "address": "诉求地址", "content": "诉求内容", "category": "诉求分类", "title": "标题", "kind": "工单类型",
    "due_at": "要求办结时间",
}
REQUIRED_FIELDS = ("hotline_number", "content")


class ImportProfile(models.Model):
    name = models.CharField("名称", max_length=80, unique=True)
    columns = models.JSONField("列映射", help_text='{"hotline_number": "工单编号", "content": "诉求内容", ...}')
    is_default = models.BooleanField("默认", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "导入格式"

    def __str__(self) -> str:
        return self.name


def import_path(instance, filename: str) -> str:
    return f"hotline/{filename}"


class ImportJob(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", "待确认"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    file = models.FileField("文件", upload_to=import_path)
    original_name = models.CharField("文件名", max_length=200)
    profile = models.ForeignKey(ImportProfile, on_delete=models.PROTECT, verbose_name="导入格式")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField("总行数", null=True, blank=True)
    last_row = models.PositiveIntegerField("已提交至行", default=0)
    created_count = models.PositiveIntegerField("新建", default=0)
    skipped_count = models.PositiveIntegerField("已存在跳过", default=0)
    rejected_count = models.PositiveIntegerField("拒绝", default=0)
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    started_at = models.DateTimeField("开始", null=True, blank=True)
    finished_at = models.DateTimeField("结束", null=True, blank=True)
    # Set at start and with every committed batch: a RUNNING job silent for longer than BACKGROUND_STALE_SECONDS
    # lost its worker (killed, host restarted) and may be resumed.
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    # Fixed by the first run: a resume must cut the file into the same batches, since a batch is known by its first
    # row (ImportBatch) and two runs cutting differently could each commit rows of the other's batch.
    batch_size = models.PositiveIntegerField("每批行数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "热线导入"
        ordering = ["-created_at"]

    @property
    def is_stale(self) -> bool:
        """RUNNING without a sign of life for a while: its worker is gone, the job can be resumed."""
        from core.background import is_stale

        return self.status == self.Status.RUNNING and is_stale(self.heartbeat_at or self.started_at or self.created_at)

    @property
    def can_start(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.FAILED) or self.is_stale

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.last_row / self.total_rows)) if self.total_rows else 0


class ImportBatch(models.Model):
    """One committed batch of an import: its rows and what became of them.

    Written in the batch's own transaction, so it exists exactly when the batch's cases do. Batches may commit out
    of order (an import writes over several connections); (job, first_row) is unique, so a batch is committed once
    even by two workers on one job, and a resume skips the batches that already have a row here."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="batches")
    first_row = models.PositiveIntegerField("起始行")
    last_row = models.PositiveIntegerField("结束行")
    created_count = models.PositiveIntegerField("新建", default=0)
    skipped_count = models.PositiveIntegerField("已存在跳过", default=0)
    rejected_count = models.PositiveIntegerField("拒绝", default=0)
    committed_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = verbose_name_plural = "导入批次"
        ordering = ["job", "first_row"]
        constraints = [models.UniqueConstraint(fields=["job", "first_row"], name="import_batch_committed_once")]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.first_row}–{self.last_row}"


class Rejection(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField("行号")
    hotline_number = models.CharField("工单编号", max_length=60, blank=True)
    reason = models.CharField("原因", max_length=300)
    # The row as the file gave it ({header: text}), so the rejected-rows workbook can be corrected and re-imported.
    data = models.JSONField("原始数据", default=dict, blank=True)

    class Meta:
        ordering = ["row_number"]
