"""No page runs inline code: the CSP says script-src 'self', so an inline script or handler would simply not run.

Every page that reverses without arguments, plus a case's page and the fragments htmx swaps in, for anonymous and for
every role: no <script> without src (except json_script data blocks), no on…= handler, no hx-on, no javascript: URL.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from chengyun.tests.test_access_matrix import url_names

pytestmark = pytest.mark.django_db

SKIP = {"logout", "cases:export", "kpi:export", "audit:export", "healthz"}  # POST-only or not HTML


class InlineCode(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src") and attributes.get("type") != "application/json":
            self.found.append(f"<script> without src: {attrs}")
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on") or name.startswith("data-hx-on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def pages(street) -> list[str]:
    case = street.signed_case(citizen_name="李梅", citizen_phone="13900001111")
    paths = []
    for name in url_names():
        if name in SKIP:
            continue
        try:
            paths.append(reverse(name))
        except NoReverseMatch:
            continue
    paths += [
        reverse("cases:detail", args=[case.pk]),
        reverse("dispatch:suggest") + "?content=" + "小区门口垃圾堆放无人清理" + "&address=愚园路128弄3号",
        reverse("workbench-address") + "?address=愚园路128弄3号",
        reverse("kpi:dashboard") + "?wall=1",
    ]
    return paths


def test_the_policy_allows_no_inline_script():
    policy = dict(part.strip().split(" ", 1) for part in settings.CONTENT_SECURITY_POLICY.split(";") if part.strip())
    assert policy["script-src"] == "'self'"


def test_no_page_for_any_role_carries_inline_code(street):
    paths = pages(street)
    assert len(paths) > 25
    roles = [None, street.admin, street.intake, street.dispatcher, street.handler, street.callback, street.leader,
             street.grid_user, street.cadre, street.auditor]
    problems, html_pages = [], 0
    for user in roles:
        client = Client()
        if user is not None:
            client.force_login(user)
        for path in paths:
            response = client.get(path, HTTP_HX_REQUEST="true" if "suggest" in path or "address" in path else "")
            if "text/html" not in response.get("Content-Type", "") or response.status_code >= 300:
                continue
            html_pages += 1
            problems += [f"{getattr(user, 'role', 'anonymous')} {path}: {found}"
                         for found in inline_code(response.content.decode())]
    assert html_pages > 100
    assert problems == []


def test_the_scan_finds_what_it_looks_for():
    found = inline_code('<script>alert(1)</script><script type="application/json" id="d">{}</script>'
                        '<script src="/static/js/app.js"></script><button onclick="x()">a</button>'
                        '<div hx-on::after-request="x()"></div><a href="javascript:x()">b</a>')
    assert len(found) == 4
