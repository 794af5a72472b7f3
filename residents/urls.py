from django.urls import path

from . import views

app_name = "residents"

urlpatterns = [
    path("", views.me, name="me"),
    path("signin/", views.signin, name="signin"),
    path("pick/", views.pick, name="pick"),
    path("signout/", views.signout, name="signout"),
]
