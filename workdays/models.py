"""Admin-editable holidays and make-up working days (调休) that override chinesecalendar."""

from django.db import models


class Holiday(models.Model):
    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", default=False, help_text="勾选表示调休上班日;不勾选表示放假")
    name = models.CharField("名称", max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name} {'上班' if self.is_workday else '放假'}"
