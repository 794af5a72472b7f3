from django.urls import path

from . import views

app_name = "kpi"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.kpi_export, name="export"),
]
