"""Getting the data book in: import profiles (which column holds which field), import jobs with their progress and
rejected rows, and the record-linkage candidates a person decides (stored per pair, so a decision is reused).

Imported at the end of registry/models.py, so the models belong to the registry app."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from org.models import Grid, Neighbourhood


class ImportKind(models.TextChoices):
    PERSONS = "persons", "人员"
    HOUSEHOLDS = "households", "户"
    UNITS = "units", "单位"


class RegistryImportProfile(models.Model):
    """A column mapping: {field: header in the file}. One default per kind ships (registry/importing.py)."""

    name = models.CharField("名称", max_length=80, unique=True)
    kind = models.CharField("导入对象", max_length=12, choices=ImportKind.choices)
    columns = models.JSONField("列映射", help_text='{"name": "姓名", "id_number": "身份证号", ...}')
    is_default = models.BooleanField("默认", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "底册导入格式"
        ordering = ["kind", "-is_default", "name"]

    def __str__(self) -> str:
        return self.name


def registry_import_path(instance, filename: str) -> str:
    return f"registry-import/{filename}"


class RegistryImportJob(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", "待确认"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("导入对象", max_length=12, choices=ImportKind.choices)
    file = models.FileField("文件", upload_to=registry_import_path)
    original_name = models.CharField("文件名", max_length=200)
    profile = models.ForeignKey(RegistryImportProfile, on_delete=models.PROTECT, verbose_name="导入格式")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField("总行数", null=True, blank=True)
    last_row = models.PositiveIntegerField("已处理至行", default=0)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    unchanged_count = models.PositiveIntegerField("无变化", default=0)
    rejected_count = models.PositiveIntegerField("拒绝", default=0)
    duplicate_count = models.PositiveIntegerField("文件内重复", default=0)
    candidate_count = models.PositiveIntegerField("待确认疑似重复", default=0)
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    started_at = models.DateTimeField("开始", null=True, blank=True)
    finished_at = models.DateTimeField("结束", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "底册导入"
        ordering = ["-created_at", "-id"]

    @property
    def is_stale(self) -> bool:
        from core.background import is_stale

        return self.status == self.Status.RUNNING and is_stale(self.heartbeat_at or self.started_at or self.created_at)

    @property
    def can_start(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.FAILED) or self.is_stale

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, int(100 * max(self.last_row - 1, 0) / self.total_rows)) if self.total_rows else 0

    def counts(self) -> dict[str, int]:
        return {"created": self.created_count, "updated": self.updated_count, "unchanged": self.unchanged_count,
                "rejected": self.rejected_count, "duplicates": self.duplicate_count,
                "candidates": self.candidate_count}


class RegistryImportRejection(models.Model):
    job = models.ForeignKey(RegistryImportJob, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField("行号")
    reason = models.CharField("原因", max_length=300)
    # The row as the file gave it ({header: text}): the rejected-rows workbook can be corrected and re-imported.
    data = models.JSONField("原始数据", default=dict, blank=True)

    class Meta:
        ordering = ["job", "row_number"]


class LinkCandidate(models.Model):
    """An imported row that looks like a person (or unit) already in the registry: a person decides.

    Keyed by (entity, object_id, fingerprint): the fingerprint is the row's normalised identifying values, so the
    same pair from the next upload finds this row and reuses its decision instead of asking again."""

    class Decision(models.TextChoices):
        PENDING = "pending", "待确认"
        SAME = "same", "同一人(更新原记录)"
        DIFFERENT = "different", "不是同一人(新建)"

    entity = models.CharField("对象", max_length=10)  # registry.models.Entity: person / unit
    object_id = models.PositiveBigIntegerField("底册记录")
    fingerprint = models.CharField("导入行指纹", max_length=64)
    job = models.ForeignKey(RegistryImportJob, on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="candidates", verbose_name="来自导入")
    row_number = models.PositiveIntegerField("行号", default=0)
    values = models.JSONField("导入行的值", default=dict)
    score = models.FloatField("相似度")
    reasons = models.JSONField("依据", default=list)
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name="居民区")
    grid = models.ForeignKey(Grid, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name="网格")
    decision = models.CharField("结论", max_length=10, choices=Decision.choices, default=Decision.PENDING)
    result_id = models.PositiveBigIntegerField("结果记录", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="确认人")
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    created_at = models.DateTimeField("发现时间")

    class Meta:
        verbose_name = verbose_name_plural = "疑似重复"
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["entity", "object_id", "fingerprint"],
                                               name="linkcandidate_one_per_pair")]
        indexes = [models.Index(fields=["decision", "neighbourhood"], name="linkcandidate_pending"),
                   models.Index(fields=["fingerprint"], name="linkcandidate_fingerprint")]
