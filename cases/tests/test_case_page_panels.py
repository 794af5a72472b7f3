"""The case page shows the panels higher apps declare in settings.CASE_PAGE_PANELS (cases/panels.py), without
cases importing them; a panel that has nothing for this reader returns None and shows nothing."""

import sys
import types

import pytest
from django.urls import reverse
from django.utils.safestring import mark_safe

from cases import panels

pytestmark = pytest.mark.django_db


@pytest.fixture
def probe_panel(settings):
    module = types.ModuleType("probe_case_panel")
    module.panel = lambda request, case: (mark_safe(f'<section id="probe-panel">{case.number}</section>')
                                          if request.user.role == "dispatcher" else None)
    sys.modules["probe_case_panel"] = module
    settings.CASE_PAGE_PANELS = ["probe_case_panel"]
    panels._modules.cache_clear()
    yield
    del sys.modules["probe_case_panel"]
    panels._modules.cache_clear()


def test_a_declared_panel_is_shown_to_whom_it_answers(client, street, probe_panel):
    case = street.new_case()
    client.force_login(street.dispatcher)
    assert f'<section id="probe-panel">{case.number}</section>' in client.get(
        reverse("cases:detail", args=[case.pk])).content.decode()
    client.force_login(street.leader)
    assert "probe-panel" not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_a_panel_that_is_not_a_rendered_template_is_escaped(client, street, settings):
    module = types.ModuleType("plain_case_panel")
    module.panel = lambda request, case: "<b>plain</b>"
    sys.modules["plain_case_panel"] = module
    settings.CASE_PAGE_PANELS = ["plain_case_panel"]
    panels._modules.cache_clear()
    try:
        case = street.new_case()
        client.force_login(street.dispatcher)
        assert "&lt;b&gt;plain&lt;/b&gt;" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    finally:
        del sys.modules["plain_case_panel"]
        panels._modules.cache_clear()


def test_no_panels_configured_means_none(client, street, settings):
    settings.CASE_PAGE_PANELS = []
    panels._modules.cache_clear()
    try:
        case = street.new_case()
        client.force_login(street.dispatcher)
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
        assert panels.panels(None, case) == []
    finally:
        panels._modules.cache_clear()
