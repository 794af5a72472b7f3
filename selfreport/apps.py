from django.apps import AppConfig


class SelfreportConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "selfreport"
    verbose_name = "居民自报"
