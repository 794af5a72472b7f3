from celery import shared_task

from .services import report_generate


@shared_task(name="reports.tasks.generate_report")
def generate_report(report_id: int) -> str:
    return report_generate(report_id).status
