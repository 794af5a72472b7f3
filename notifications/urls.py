from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("badge/", views.notification_badge, name="badge"),
    path("<int:pk>/open/", views.notification_open, name="open"),
    path("read/", views.notification_read, name="read"),
]
