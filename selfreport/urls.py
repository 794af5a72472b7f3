from django.urls import path

from . import views

app_name = "selfreport"

urlpatterns = [
    path("", views.report, name="report"),
    path("code/", views.send_code, name="code"),
    path("status/", views.status, name="status"),
]
