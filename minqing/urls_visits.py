"""/minqing/visits/: 民情走访 — 今日走访, visits, plans and coverage."""

from django.urls import path

from .views import visit_plans, visits

app_name = "minqing_visits"

urlpatterns = [
    path("", visits.today, name="today"),
    path("list/", visits.visit_list, name="list"),
    path("new/", visits.visit_new, name="new"),
    path("new/need-row/", visits.need_row, name="need-row"),
    path("<int:pk>/", visits.visit_detail, name="detail"),
    path("<int:pk>/correct/", visits.visit_correct, name="correct"),
    path("plans/", visit_plans.plan_list, name="plans"),
    path("plans/new/", visit_plans.plan_new, name="plan-new"),
    path("plans/<int:pk>/", visit_plans.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/cancel/", visit_plans.plan_cancel, name="plan-cancel"),
    path("coverage/", visit_plans.coverage_page, name="coverage"),
]
