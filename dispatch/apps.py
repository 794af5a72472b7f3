from django.apps import AppConfig


class DispatchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dispatch"
    verbose_name = "智能派单"

    def ready(self) -> None:
        from . import signals  # noqa: F401
