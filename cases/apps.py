import os
import sys

from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "工单"

    def ready(self) -> None:
        from .signals import connect_listeners

        connect_listeners()  # settings.CASE_EVENT_LISTENERS: who hears case_events_recorded (cases/signals.py)
        # Only the serving process of the embedded demo (runserver's reloaded child) runs the sweep thread.
        serving = "runserver" in sys.argv and os.environ.get("RUN_MAIN") == "true"
        if os.environ.get("CHENGYUN_INPROCESS_SCHEDULER") == "1" and serving:
            from .scheduler import start_inprocess_scheduler

            start_inprocess_scheduler()
