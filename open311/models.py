"""Open311 GeoReport v2: API keys of posting clients, custom service attributes, and what each post carried."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from org.models import Category


class ApiKey(models.Model):
    """A client allowed to POST service requests; cases it creates are registered by its own system actor."""

    name = models.CharField("客户端名称", max_length=80, unique=True)
    prefix = models.CharField("前缀", max_length=12)
    key_hash = models.CharField("摘要", max_length=64, unique=True)
    actor = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="open311_key")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "Open311 API Key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ServiceAttribute(models.Model):
    """A custom attribute of a service (our 小类), as in GET services/{code}."""

    class Datatype(models.TextChoices):
        STRING = "string", "字符串"
        NUMBER = "number", "数字"
        DATETIME = "datetime", "日期时间"
        TEXT = "text", "长文本"
        SINGLE = "singlevaluelist", "单选"
        MULTI = "multivaluelist", "多选"

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="open311_attributes", verbose_name="类别")
    code = models.CharField("编码", max_length=50)
    datatype = models.CharField("类型", max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField("必填", default=False)
    description = models.CharField("说明", max_length=200)
    datatype_description = models.CharField("格式说明", max_length=200, blank=True)
    order = models.PositiveIntegerField("顺序", default=1)
    values = models.JSONField("可选值", default=list, blank=True, help_text='[{"key": "1", "name": "一楼"}]')

    class Meta:
        verbose_name = verbose_name_plural = "Open311 服务属性"
        ordering = ["category", "order"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_unique")]

    def __str__(self) -> str:
        return f"{self.category} · {self.code}"


class Submission(models.Model):
    """What a client posted beside the case: contact details (personal data) and attributes, kept out of the timeline."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="open311_submission")
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="submissions")
    token = models.CharField(max_length=40, unique=True)
    email = models.CharField(max_length=200, blank=True)
    device_id = models.CharField(max_length=200, blank=True)
    account_id = models.CharField(max_length=200, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class UnpublishedCategory(models.Model):
    """A 小类 the street does not publish in the public feed (GET requests): sensitive by nature, e.g. 群租 or a
    neighbour dispute, where even the category at a road tells the neighbours who complained."""

    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="open311_unpublished",
                                    verbose_name="类别")
    reason = models.CharField("不公开原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "Open311 不公开的类别"

    def __str__(self) -> str:
        return str(self.category)
