from celery import shared_task

# The module, looked up when the task runs: reports.services queues this task (either may be imported first).
from . import services


@shared_task(name="reports.tasks.generate_report")
def generate_report(report_id: int) -> str:
    return services.report_generate(report_id).status
