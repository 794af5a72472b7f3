from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.archive, name="archive"),
    path("<int:pk>/row/", views.row, name="row"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/<str:kind>/", views.download, name="download"),
]
