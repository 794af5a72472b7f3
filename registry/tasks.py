from celery import shared_task

# The module, looked up when the task runs: registry.import_jobs queues this task (either may be imported first).
from . import import_jobs


@shared_task(name="registry.tasks.run_import")
def run_import(job_id: int) -> str:
    return import_jobs.import_job_run(job_id).status
