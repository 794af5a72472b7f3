from django.urls import path

from . import views

app_name = "hotline"

urlpatterns = [
    path("", views.import_home, name="import"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/start/", views.job_start, name="start"),
    path("jobs/<int:pk>/errors.xlsx", views.job_errors, name="errors"),
    path("export/", views.export, name="export"),
]
