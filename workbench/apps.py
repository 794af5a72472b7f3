from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    """The composition layer for pages: role home pages, the 社区大脑 and the navigation. No models."""

    name = "workbench"
    verbose_name = "工作台"

    def ready(self) -> None:
        from . import admin_labels

        admin_labels.apply()  # the admin's third-party sections in Chinese
