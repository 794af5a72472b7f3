"""Smart dispatch's background jobs: periodic retraining of the category classifier (Celery beat, weekly by
default) and the auto-dispatch of imported cases."""

import threading

from celery import shared_task

from . import services


@shared_task(name="dispatch.tasks.retrain_classifier")
def retrain_classifier() -> dict:
    version = services.classifier_train()
    return {"version": version.pk, "n_samples": version.n_samples, **version.metrics}


# Imports hand over one job per committed batch: in the embedded default (a thread each) they take turns, so a
# large import never has dozens of threads dispatching at once. Celery workers take them one per worker process.
_one_at_a_time = threading.Lock()


@shared_task(name="dispatch.tasks.auto_dispatch_cases")
def auto_dispatch_cases(case_ids: list[int]) -> int:
    with _one_at_a_time:
        return services.case_auto_dispatch_many(case_ids=case_ids)
