"""Celery tasks of 民生: the theme clustering run (a ThemeRun), queued by minsheng/services/theme_runs.py."""

from celery import shared_task


@shared_task(name="minsheng.tasks.run_themes")
def run_themes(run_id: int) -> str:
    from .services import theme_runs

    return theme_runs.theme_run_execute(run_id).status
