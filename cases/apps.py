from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "工单"

    def ready(self) -> None:
        from .signals import connect_listeners

        connect_listeners()  # settings.CASE_EVENT_LISTENERS: who hears case_events_recorded (cases/signals.py)
