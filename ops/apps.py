from django.apps import AppConfig


class OpsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = "运维"

    def ready(self):
        from chengyun.logfilters import install_on_existing_handlers
        from ops import checks  # noqa: F401  registers the start-up checks

        # Loggers configured before Django (gunicorn's access and error logs) get the personal-data filter too.
        install_on_existing_handlers()
