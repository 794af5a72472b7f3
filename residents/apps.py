from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "residents"
    verbose_name = "居民个人页"
