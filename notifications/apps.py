from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (listens to new case events)
