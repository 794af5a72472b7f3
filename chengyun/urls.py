from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ops.views import healthz
from org import otp
from workbench import urls as workbench_urls

from .api import api

admin.site.site_header = "城运 chengyun 管理后台"
admin.site.site_title = "城运管理后台"
admin.site.index_title = "配置"

urlpatterns = [
    path("", include(workbench_urls)),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/otp/", otp.verify, name="otp-verify"),
    path("account/otp/", otp.setup, name="otp-setup"),
    path("account/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("cases/", include("cases.urls")),
    path("open311/v2/", include("open311.urls")),
    path("notifications/", include("notifications.urls")),
    path("report/", include("selfreport.urls")),
    path("me/", include("residents.urls")),
    path("hotline/", include("hotline.urls")),
    path("registry/import/", include("registry.urls_import")),
    path("dashboard/", include(workbench_urls.dashboard_urls)),
    path("reports/", include("reports.urls")),
    path("audit/", include("audit.urls")),
    path("privacy/", include("privacy.urls")),
    path("dispatch/", include("dispatch.urls")),
    path("registry/", include("registry.urls")),
    # --- issue18 projects ---
    path("minsheng/projects/", include("minsheng.urls_projects")),
    path("minsheng/", include("minsheng.urls_public")),
    path("questionnaires/results/", include("questionnaires.urls_results")),
    # --- end issue18 projects ---
    # --- issue18 themes ---
    path("minsheng/themes/", include("minsheng.urls_themes")),
    # --- end issue18 themes ---
    # --- issue18 qform ---
    path("questionnaires/", include("questionnaires.urls")),
    # --- end issue18 qform ---
    path("healthz", healthz, name="healthz"),
]
# --- issue18 needs ---
urlpatterns += [path("minqing/needs/", include("minqing.urls_needs"))]
# --- end issue18 needs ---
# --- issue18 visits ---
urlpatterns += [path("minqing/visits/", include("minqing.urls_visits"))]
# --- end issue18 visits ---

handler403 = "core.pages.forbidden"
handler404 = "core.pages.not_found"
handler500 = "chengyun.faults.server_error"
