"""/minqing/needs/: 民情需求 and the data lake (数据湖)."""

from django.urls import path

from .views import lake, needs

app_name = "minqing_needs"

urlpatterns = [
    path("", needs.need_list, name="list"),
    path("export/", needs.need_export, name="export"),
    path("new/", needs.need_new, name="new"),
    path("households/pick/", needs.household_pick, name="household-pick"),
    path("<int:pk>/", needs.need_detail, name="detail"),
    path("<int:pk>/resolve/", needs.need_resolve, name="resolve"),
    path("<int:pk>/close/", needs.need_close, name="close"),
    path("<int:pk>/case/", needs.need_open_case, name="open-case"),
    path("lake/", lake.lake_home, name="lake"),
    path("lake/records/", lake.lake_records, name="lake-records"),
    path("lake/imports/<int:pk>/", lake.lake_import, name="lake-import"),
    path("lake/imports/<int:pk>/rejected/", lake.lake_rejections, name="lake-rejections"),
    path("lake/imports/<int:pk>/restart/", lake.lake_import_restart, name="lake-restart"),
]
