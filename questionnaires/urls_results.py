"""Questionnaire results, mounted at /questionnaires/results/."""

from django.urls import path

from . import views_results as views

app_name = "questionnaire_results"

urlpatterns = [
    path("", views.result_index, name="index"),
    path("<int:pk>/", views.result_version, name="version"),
    path("<int:pk>/export/", views.result_export, name="export"),
]
