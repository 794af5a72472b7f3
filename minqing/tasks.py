from celery import shared_task


# --- issue18 needs ---
@shared_task(name="minqing.tasks.run_lake_import")
def run_lake_import(import_id: int) -> str:
    from .services.lake import lake_import_run

    return lake_import_run(import_id).status
# --- end issue18 needs ---
