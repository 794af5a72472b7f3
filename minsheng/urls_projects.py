"""十大民生 staff pages, mounted at /minsheng/projects/."""

from django.urls import path

from .views import projects as views

app_name = "minsheng_projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_new, name="new"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/", views.callback_record, name="callback"),
    path("report/", views.report_page, name="report"),
    path("report/<str:kind>/", views.report_download, name="report-download"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/status/", views.project_status, name="status"),
    path("<int:pk>/milestones/", views.milestone_add, name="milestone-add"),
    path("<int:pk>/milestones/<int:milestone_pk>/done/", views.milestone_complete, name="milestone-complete"),
    path("<int:pk>/echo/", views.echo_send, name="echo"),
    path("<int:pk>/links/", views.project_links, name="links"),
]
