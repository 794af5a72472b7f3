"""Audit log: logins, permission denials, views of unmasked personal data, exports, configuration changes."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        LOGIN = "login", "登录成功"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出登录"
        DENIED = "denied", "权限拒绝"
        VIEW_PERSONAL_DATA = "view_personal_data", "查看个人信息"
        EXPORT = "export", "导出"
        CONFIG_CHANGE = "config_change", "配置变更"
        ANONYMISE = "anonymise", "个人信息匿名化"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    username = models.CharField("用户名", max_length=150, blank=True)
    action = models.CharField("操作", max_length=30, choices=Action.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.CharField("对象", max_length=64, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("审计日志只能追加,不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("审计日志只能追加,不能删除")
