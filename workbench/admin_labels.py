"""管理后台 in Chinese, the third-party sections included.

LANGUAGE_CODE is zh-hans and Django's own admin is translated, but django-axes and django-otp ship no zh_Hans
catalogue (their locale/ folders have none) and django-otp's TOTP admin uses untranslatable plain strings. So the
names the admin shows — app, model and field names, help texts, fieldset titles, the list filter and action
names — are set here, once, when the apps are ready (WorkbenchConfig.ready, after admin's autodiscover). Also the
few English field names of the project's own models. workbench/tests/test_admin_in_chinese.py walks every admin
page for English left over.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin

APP_NAMES = {"axes": "登录防护", "otp_totp": "两步验证(TOTP)", "django_otp": "两步验证"}

MODEL_NAMES = {
    ("axes", "accessattempt"): "登录尝试",
    ("axes", "accesslog"): "登录记录",
    ("axes", "accessfailurelog"): "登录失败记录",
    ("axes", "accessattemptexpiration"): "登录尝试过期时间",
    ("otp_totp", "totpdevice"): "TOTP 验证设备",
}

_AXES_FIELDS = {
    "user_agent": "浏览器标识", "ip_address": "IP 地址", "username": "用户名", "http_accept": "HTTP Accept 头",
    "path_info": "访问路径", "attempt_time": "尝试时间", "get_data": "GET 数据", "post_data": "POST 数据",
    "failures_since_start": "失败次数", "logout_time": "退出时间", "session_hash": "会话标识哈希(sha256)",
    "locked_out": "已锁定", "access_attempt": "登录尝试", "expires_at": "过期时间",
}
FIELD_NAMES: dict[tuple[str, str], dict[str, tuple[str, str] | str]] = {
    ("axes", "accessattempt"): _AXES_FIELDS,
    ("axes", "accesslog"): _AXES_FIELDS,
    ("axes", "accessfailurelog"): _AXES_FIELDS,
    ("axes", "accessattemptexpiration"): {**_AXES_FIELDS, "expires_at": ("过期时间", "登录尝试失效、不再计数的时间。")},
    ("otp_totp", "totpdevice"): {
        "user": ("用户", "此设备所属的用户。"), "name": ("名称", "便于识别的设备名称。"),
        "confirmed": ("已确认", "设备是否可以使用。"),
        "throttling_failure_timestamp": ("最近失败时间", "最近一次验证失败的时间。"),
        "throttling_failure_count": ("连续失败次数", "连续验证失败的次数。"),
        "created_at": ("创建时间", "设备首次登记的时间。"), "last_used_at": ("最近使用时间", "设备最近一次使用的时间。"),
        "key": ("密钥", "十六进制编码的密钥,最长 40 字节。"), "step": ("时间步长", "每个口令的有效秒数。"),
        "t0": ("起始时间", "开始计算时间步的 Unix 时间。"), "digits": ("位数", "口令的位数。"),
        "tolerance": ("容差", "允许前后偏差的时间步数。"), "drift": ("时钟偏差", "验证方与服务器时钟偏差的时间步数。"),
        "last_t": ("最近时间步", "最近一次通过验证的时间步,下一个口令必须更晚。"),
    },
    ("open311", "apikey"): {"actor": "操作账号"},
    ("hotline", "importjob"): {"created_by": "导入人"},
}

FIELDSET_TITLES = {"Form Data": "表单数据", "Meta Data": "请求信息", "Identity": "身份", "Timestamps": "时间",
                   "Configuration": "配置", "State": "状态", "Throttling": "失败限制"}
ACTION_NAMES = {"cleanup_expired_attempts": "清理过期的登录尝试"}
COLUMN_NAMES = {"qrcode_link": "二维码", "status": "状态", "expiration": "过期时间"}


def _fieldsets(fieldsets):
    return [(FIELDSET_TITLES.get(str(title), title) if title else title, options) for title, options in fieldsets]


def _translate_admin(model_admin: admin.ModelAdmin) -> None:
    if model_admin.fieldsets:
        model_admin.fieldsets = _fieldsets(model_admin.fieldsets)
    original = model_admin.get_fieldsets

    def get_fieldsets(request, obj=None):
        return _fieldsets(original(request, obj))

    model_admin.get_fieldsets = get_fieldsets
    if getattr(model_admin, "search_help_text", None) and "Search by" in str(model_admin.search_help_text):
        model_admin.search_help_text = "按用户名或电子邮件地址搜索"
    cls = type(model_admin)
    for name, label in {**ACTION_NAMES, **COLUMN_NAMES}.items():
        function = getattr(cls, name, None)
        if callable(function):
            function.short_description = label
    for item in getattr(model_admin, "list_filter", ()):
        if isinstance(item, type) and str(getattr(item, "title", "")) == "Locked Out":
            item.title = "已锁定"


def apply() -> None:
    for label, name in APP_NAMES.items():
        if apps.is_installed(label) or label in apps.app_configs:
            config = apps.app_configs.get(label)
            if config is not None:
                config.verbose_name = name
    for (app_label, model_name), name in MODEL_NAMES.items():
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        model._meta.verbose_name = model._meta.verbose_name_plural = name
    for (app_label, model_name), fields in FIELD_NAMES.items():
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        for field_name, names in fields.items():
            try:
                field = model._meta.get_field(field_name)
            except Exception:  # noqa: BLE001 — a field a version of the package lacks
                continue
            verbose, help_text = names if isinstance(names, tuple) else (names, None)
            field.verbose_name = verbose
            if help_text is not None:
                field.help_text = help_text
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in APP_NAMES:
            _translate_admin(model_admin)
