from django.apps import AppConfig


class OpsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = "运维"

    def ready(self):
        from ops import checks  # noqa: F401  registers the start-up checks
