from celery import shared_task

from .services import import_job_run


@shared_task(name="hotline.tasks.run_import")
def run_import(job_id: int) -> str:
    return import_job_run(job_id).status
