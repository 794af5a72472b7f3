from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list_page, name="list"),
    path("export.xlsx", views.case_export, name="export"),
    path("new/", views.case_new, name="new"),
    path("bulk/", views.case_bulk, name="bulk"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.case_act, name="act"),
    path("<int:pk>/call/", views.case_call, name="call"),
    path("<int:pk>/attachments/", views.case_attach, name="attach"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
]
