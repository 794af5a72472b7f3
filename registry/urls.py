"""社区底册 pages for staff, mounted at /registry/ (the import pages have their own include: registry/urls_import.py)."""

from django.urls import path

from . import views, views_links, views_places

app_name = "registry"

urlpatterns = [
    path("", views.person_list, name="persons"),
    path("persons/export.xlsx", views_links.person_export, name="person-export"),
    path("persons/new/", views.person_new, name="person-new"),
    path("persons/pick/", views.person_pick, name="person-pick"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("persons/<int:pk>/reveal/", views.person_reveal, name="person-reveal"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("persons/<int:pk>/move/", views.person_move, name="person-move"),
    path("persons/<int:pk>/capacities/", views.person_capacity, name="person-capacity"),
    path("households/", views_places.household_list, name="households"),
    path("households/export.xlsx", views_links.household_export, name="household-export"),
    path("households/new/", views_places.household_new, name="household-new"),
    path("households/<int:pk>/", views_places.household_detail, name="household"),
    path("households/<int:pk>/reveal/", views_places.household_reveal, name="household-reveal"),
    path("households/<int:pk>/edit/", views_places.household_edit, name="household-edit"),
    path("households/<int:pk>/members/", views_places.household_member, name="household-member"),
    path("units/", views_places.unit_list, name="units"),
    path("units/export.xlsx", views_links.unit_export, name="unit-export"),
    path("units/new/", views_places.unit_new, name="unit-new"),
    path("units/<int:pk>/", views_places.unit_detail, name="unit"),
    path("units/<int:pk>/reveal/", views_places.unit_reveal, name="unit-reveal"),
    path("units/<int:pk>/edit/", views_places.unit_edit, name="unit-edit"),
    path("units/<int:pk>/contacts/", views_places.unit_contact, name="unit-contact"),
    path("cases/<int:case_pk>/link/", views_links.case_link, name="case-link"),
    path("cases/<int:case_pk>/link/decide/", views_links.case_link_decide, name="case-link-decide"),
]
