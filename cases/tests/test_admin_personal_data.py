"""Django admin shows no personal data: the 管理员 sees cases masked in the app, and admin must not undo that."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import services

pytestmark = pytest.mark.django_db


def test_the_case_pages_of_admin_show_no_personal_data(client, street):
    case = street.handling_case(title="张建国反映楼道堆物", content="张建国(13812341234)反映愚园路128弄3号堆物")
    services.case_add_progress(actor=street.handler, case=case, note="已与张建国通话 13812341234")
    client.force_login(street.admin)
    pages = [
        client.get(reverse("admin:cases_case_changelist")),
        client.get(reverse("admin:cases_case_change", args=[case.pk])),
        client.get(reverse("admin:cases_caseevent_changelist")),
        client.get(reverse("admin:cases_caseevent_change", args=[case.events.last().pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "13812341234" not in html and "128弄3号" not in html
    assert "张建国" not in pages[0].content.decode() and "张建国" not in pages[2].content.decode()
