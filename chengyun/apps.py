"""The composition root as an app: what runs once the whole project is loaded (the log filter on loggers set up
before Django, the embedded demo's scheduler)."""

import os
import sys

from django.apps import AppConfig


class ChengyunConfig(AppConfig):
    name = "chengyun"
    verbose_name = "城运"

    def ready(self) -> None:
        from .logfilters import install_on_existing_handlers

        # Loggers configured before Django (gunicorn's access and error logs) get the personal-data filter too.
        install_on_existing_handlers()
        # Only the serving process of the embedded demo (runserver's reloaded child) runs the sweep thread.
        serving = "runserver" in sys.argv and os.environ.get("RUN_MAIN") == "true"
        if os.environ.get("CHENGYUN_INPROCESS_SCHEDULER") == "1" and serving:
            from .scheduler import start_inprocess_scheduler

            start_inprocess_scheduler()
