"""The pages this layer composes. Home pages keep their un-namespaced names ("workbench", "workbench-…"); the
社区大脑 keeps its place in the kpi namespace ("kpi:dashboard" at /dashboard/) next to kpi's own pages."""

from django.urls import path

from kpi import urls as kpi_urls

from . import brain, views
from .homes import patrol

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("work/register/", views.quick_register, name="workbench-register"),
    path("work/dispatch/", views.bulk_dispatch, name="workbench-bulk-dispatch"),
    path("work/requests/<int:pk>/decide/", views.decide_request, name="workbench-decide"),
    path("work/dispatch/<int:pk>/", views.dispatch_one, name="workbench-dispatch-one"),
    path("work/next/", views.next_case, name="workbench-next"),
    path("work/address/", views.address_check, name="workbench-address"),
    path("work/patrol/report/", patrol.report, name="workbench-patrol-report"),
]

# Mounted at /dashboard/ by chengyun/urls.py: the brain first, then kpi's exports, all under app name "kpi".
dashboard_urls = ([path("", brain.dashboard, name="dashboard"), path("cases/", brain.brain_cases, name="cases"),
                   *kpi_urls.urlpatterns], kpi_urls.app_name)
