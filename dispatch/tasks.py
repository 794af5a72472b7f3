"""Periodic retraining of the category classifier (Celery beat, weekly by default)."""

from celery import shared_task

from . import services


@shared_task(name="dispatch.tasks.retrain_classifier")
def retrain_classifier() -> dict:
    version = services.classifier_train()
    return {"version": version.pk, "n_samples": version.n_samples, **version.metrics}
