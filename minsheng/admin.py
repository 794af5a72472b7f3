from django.contrib import admin  # noqa: F401 - projects and themes are edited on their own pages
