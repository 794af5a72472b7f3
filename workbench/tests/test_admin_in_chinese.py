"""Issue 16, 管理员: every admin section in Chinese — django-axes and django-otp's TOTP devices included
(workbench/admin_labels.py). Walks the index, every changelist and every add/change form."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Names that stay as they are in Chinese admin texts.
ALLOWED = {"IP", "API", "TOTP", "Open311", "Key", "GET", "POST", "HTTP", "Accept", "sha256", "URL", "ID", "JSON",
           "Excel", "OTP", "Control", "Command", "Mac", "LDAP", "MQTT", "AI", "GIS", "SLA", "Unix", "hex", "UTC"}
PIECES = [
    r"<caption>(.*?)</caption>", r'<th scope="row">(.*?)</th>', r'<th scope="col"(?![^>]*visually-hidden)[^>]*>(.*?)</th>',
    r"<label[^>]*>(.*?)</label>", r'<h2 id="fieldset[^"]*"[^>]*>(.*?)</h2>', r"<h2[^>]*class=\"fieldset-heading\"[^>]*>(.*?)</h2>",
    r"<h3>(.*?)</h3>", r'<option value="(?!delete_selected)[a-z_]+">(.*?)</option>', r'<div class="help"[^>]*>(.*?)</div>',
    r"<summary>(.*?)</summary>",
]


def english_left(page: str) -> list[str]:
    # Django 5's own zh_Hans catalogue lacks the screen-reader-only headers of the app list (Model name, Add link…)
    page = re.sub(r'<thead class="visually-hidden">.*?</thead>', "", page, flags=re.S)
    found = []
    for pattern in PIECES:
        for piece in re.findall(pattern, page, re.S):
            text = htmllib.unescape(re.sub(r"<[^>]+>", " ", piece))
            if '{"' in text or '[{' in text:  # a JSON example in a help text: its keys are code
                continue
            words = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9_]+", text) if w not in ALLOWED]
            if words:
                found.append(text.strip())
    return found


def test_the_language_is_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"


def test_the_axes_and_totp_sections_have_chinese_names(client, street):
    client.force_login(street.admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert "登录防护" in index and "登录尝试" in index and "两步验证(TOTP)" in index and "TOTP 验证设备" in index
    assert "Axes" not in index and "access attempts" not in index and "Otp_Totp" not in index


def test_no_admin_page_shows_english(client, street):
    client.force_login(street.admin)
    pages = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse(f"admin:{info[0]}_{info[1]}_changelist"))
        pages.append(reverse("admin:app_list", args=[model._meta.app_label]))
        if model_admin.has_add_permission(type("R", (), {"user": street.admin})()):
            pages.append(reverse(f"admin:{info[0]}_{info[1]}_add"))
    problems = {}
    for url in dict.fromkeys(pages):
        response = client.get(url)
        assert response.status_code == 200, url
        left = english_left(response.content.decode())
        if left:
            problems[url] = left
    assert problems == {}
