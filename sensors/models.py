"""Monitored points (积水点, 防汛点…) with thresholds, and their readings."""

from __future__ import annotations

from django.db import models

from org.models import Category, Grid, Neighbourhood


class MonitoringPoint(models.Model):
    class Kind(models.TextChoices):
        WATERLOGGING = "waterlogging", "积水"
        FLOOD = "flood", "防汛水位"
        OTHER = "other", "其他"

    code = models.CharField("编码", max_length=40, unique=True, help_text="MQTT 主题中的点位编码,只含字母数字-_")
    name = models.CharField("名称", max_length=80)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.WATERLOGGING)
    address = models.CharField("地址", max_length=200)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, null=True, blank=True, verbose_name="居民区")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, null=True, blank=True, verbose_name="网格")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name="报警工单类别")
    threshold = models.DecimalField("报警阈值", max_digits=8, decimal_places=2)
    unit = models.CharField("单位", max_length=10, default="cm")
    is_active = models.BooleanField("启用", default=True)
    in_alarm = models.BooleanField("报警中", default=False)
    open_case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="当前报警工单"
    )
    last_value = models.DecimalField("最新读数", max_digits=8, decimal_places=2, null=True, blank=True)
    last_reading_at = models.DateTimeField("最新读数时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "监测点"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}({self.code})"


class Reading(models.Model):
    class Channel(models.TextChoices):
        MQTT = "mqtt", "MQTT"
        HTTP = "http", "HTTP"

    point = models.ForeignKey(MonitoringPoint, on_delete=models.CASCADE, related_name="readings", verbose_name="监测点")
    value = models.DecimalField("读数", max_digits=8, decimal_places=2)
    measured_at = models.DateTimeField("测量时间", db_index=True)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)
    channel = models.CharField("通道", max_length=10, choices=Channel.choices)
    over_threshold = models.BooleanField("超阈值")

    class Meta:
        verbose_name = verbose_name_plural = "读数"
        ordering = ["-measured_at"]
