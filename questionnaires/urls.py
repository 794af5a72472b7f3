from django.urls import path

from . import views

app_name = "questionnaires"

urlpatterns = [
    path("", views.questionnaire_list, name="list"),
    path("upload/", views.questionnaire_upload, name="upload"),
    path("sw.js", views.service_worker, name="sw"),
    path("<slug:slug>/fill/", views.fill, name="fill"),
    path("<slug:slug>/submit/", views.submit, name="submit"),
]
