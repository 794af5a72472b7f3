from django.apps import AppConfig


class MinshengConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "minsheng"
    verbose_name = "十大民生"
