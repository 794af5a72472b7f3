"""The public 十大民生 page, mounted at /minsheng/ without login."""

from django.urls import path

from .views import public

app_name = "minsheng_public"

urlpatterns = [
    path("", public.public_index, name="index"),
    path("<int:year>/", public.public_year, name="year"),
]
