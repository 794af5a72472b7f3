"""Smart dispatch: trained classifier versions and the record of what was suggested against what was dispatched."""

from __future__ import annotations

from django.db import models

from cases.models import Case
from org.models import Category, Department, Estate, Grid, Neighbourhood


class ClassifierVersion(models.Model):
    """One trained category classifier: its data, its evaluation and the pipeline itself (joblib bytes).

    The newest row is the one in use; older rows stay as the history of what was trained when, on what."""

    trained_at = models.DateTimeField("训练时间", db_index=True)
    n_samples = models.PositiveIntegerField("训练样本数")
    n_labels = models.PositiveIntegerField("类别数")
    data_description = models.TextField("训练数据说明")
    metrics = models.JSONField("评估指标", default=dict, help_text="留出集上的 macro_f1、accuracy 等")
    department_history = models.JSONField("历史处置单位统计", default=dict)
    train_seconds = models.FloatField("训练耗时(秒)", default=0)
    model = models.BinaryField("模型")

    class Meta:
        verbose_name = verbose_name_plural = "分类模型版本"
        ordering = ["-trained_at", "-id"]

    def __str__(self) -> str:
        return f"分类模型 #{self.pk} {self.trained_at:%Y-%m-%d %H:%M}({self.n_samples} 条)"


class DispatchOutcome(models.Model):
    """At each 派单: what the suggestion said and what the dispatcher did. Overrides feed the next training
    (through the case's final category) and the department history, and are counted here."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="dispatch_outcomes", verbose_name="工单")
    at = models.DateTimeField("时间", db_index=True)
    version = models.ForeignKey(ClassifierVersion, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name="模型版本")
    suggested_category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True,
                                           related_name="+", verbose_name="建议类别")
    category_confidence = models.FloatField("类别置信度", null=True, blank=True)
    suggested_department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True,
                                             related_name="+", verbose_name="建议主办")
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name="派单类别")
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name="派单主办")
    category_overridden = models.BooleanField("改了类别", default=False)
    department_overridden = models.BooleanField("改了主办", default=False)
    automatic = models.BooleanField("自动派单", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "派单建议采纳记录"
        ordering = ["-at", "-id"]


class Landmark(models.Model):
    """A place people name instead of an address (静安寺, 久光百货, 愚园路菜场): where it lies, for address → place."""

    name = models.CharField("名称", max_length=50, unique=True)
    aliases = models.CharField("别名", max_length=200, blank=True, help_text="以逗号分隔")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="landmarks",
                                      verbose_name="居民区")
    grid = models.ForeignKey(Grid, on_delete=models.SET_NULL, null=True, blank=True, related_name="landmarks",
                             verbose_name="网格")
    estate = models.ForeignKey(Estate, on_delete=models.SET_NULL, null=True, blank=True, related_name="landmarks",
                               verbose_name="小区")

    class Meta:
        verbose_name = verbose_name_plural = "地标"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def names(self) -> list[str]:
        return [n for n in [self.name, *(a.strip() for a in self.aliases.replace(",", ",").split(","))] if n]
