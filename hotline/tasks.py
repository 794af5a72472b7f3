from celery import shared_task

# The module, looked up when the task runs: hotline.services.jobs queues this task (either may be imported first).
from . import services


@shared_task(name="hotline.tasks.run_import")
def run_import(job_id: int) -> str:
    return services.import_job_run(job_id).status
