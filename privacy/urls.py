from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("cases/<int:pk>/unmask/", views.case_unmask_page, name="unmask"),
    path("citizen/", views.citizen, name="citizen"),
    path("citizen/export/", views.citizen_export, name="export"),
    path("citizen/erase/", views.citizen_erase, name="erase"),
]
