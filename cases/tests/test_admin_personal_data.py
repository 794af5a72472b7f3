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
        client.get(reverse("admin:cases_case_history", args=[case.pk])),
        client.get(reverse("admin:cases_caseevent_changelist")),
        client.get(reverse("admin:cases_caseevent_change", args=[case.events.last().pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "13812341234" not in html and "128弄3号" not in html and "张建国" not in html
    # The title and content are there, masked as the application shows them to the 管理员.
    assert "张**反映楼道堆物" in pages[0].content.decode()
    assert "138****1234" in pages[1].content.decode() and "xx弄x号" in pages[1].content.decode()


def test_requests_and_assignments_have_no_admin_pages(client, street):
    from cases.models import Assignment, Request

    case = street.dispatched_case(title="张建国反映楼道堆物")
    services.case_request_return(actor=street.handler, case=case, reason="张建国 13812341234 不属于本单位")
    client.force_login(street.admin)
    for model in (Request, Assignment):
        url = f"/admin/cases/{model._meta.model_name}/"
        assert client.get(url).status_code == 404
    for obj in (Request.objects.get(case=case), Assignment.objects.filter(case=case).first()):
        assert client.get(f"/admin/cases/{obj._meta.model_name}/{obj.pk}/change/").status_code == 404
