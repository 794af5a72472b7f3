"""kpi's own pages. The 社区大脑 ("kpi:dashboard", /dashboard/) is composed in workbench/ and mounted with these
under the same app name by chengyun/urls.py."""

from django.urls import path

from . import views

app_name = "kpi"

urlpatterns = [
    path("export.xlsx", views.kpi_export, name="export"),
]
