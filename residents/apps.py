from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "residents"
    verbose_name = "居民个人页"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .session import end_on_staff_login

        # A staff login in the browser ends a resident's sign-in there: one identity per session.
        user_logged_in.connect(end_on_staff_login, dispatch_uid="residents-end-on-staff-login")
