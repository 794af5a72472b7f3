from django.urls import path

from . import views_import as views

app_name = "registry_import"

urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/start/", views.job_start, name="start"),
    path("jobs/<int:pk>/errors.xlsx", views.job_errors, name="errors"),
    path("candidates/", views.candidate_list, name="candidates"),
    path("candidates/<int:pk>/decide/", views.candidate_decide, name="decide"),
]
