"""民生主题 pages, mounted at /minsheng/themes/."""

from django.urls import path

from .views import themes as views

app_name = "minsheng_themes"
urlpatterns = [
    path("", views.theme_list, name="list"),
    path("<int:pk>/", views.theme_detail, name="detail"),
    path("<int:pk>/act/", views.theme_act, name="act"),
    path("runs/", views.run_home, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
]
