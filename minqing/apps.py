from django.apps import AppConfig


class MinqingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "minqing"
    verbose_name = "人民情感日志"
