"""Opening a notice marks it read; one notice per case and kind until read (issue 16, broken #9 and noise)."""

import pytest
from django.test import Client

from cases import services
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def badge(client: Client) -> str:
    return client.get("/notifications/badge/").content.decode()


def test_opening_a_notice_marks_it_read_and_lands_on_the_case(street):
    first = street.dispatched_case()
    street.dispatched_case()
    client = Client()
    client.force_login(street.handler)
    assert '<span class="badge">2</span>' in badge(client)
    notice = Notification.objects.get(user=street.handler, case=first)
    assert f'href="/notifications/{notice.pk}/open/"' in client.get("/notifications/").content.decode()
    response = client.get(f"/notifications/{notice.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{first.pk}/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert '<span class="badge">1</span>' in badge(client)
    client.get(f"/notifications/{notice.pk}/open/")  # opening it again changes nothing
    assert '<span class="badge">1</span>' in badge(client)


def test_someone_elses_notice_cannot_be_opened(street):
    street.dispatched_case()
    notice = Notification.objects.get(user=street.handler)
    client = Client()
    client.force_login(street.handler_other)
    assert client.get(f"/notifications/{notice.pk}/open/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_a_second_urge_bumps_the_unread_notice_instead_of_adding_one(street):
    case = street.signed_case()
    services.case_urge(actor=street.leader, case=case, note="第一次督办")
    case.refresh_from_db()
    services.case_urge(actor=street.leader, case=case, note="第二次督办")
    urged = Notification.objects.filter(user=street.handler, case=case, kind="urged")
    assert urged.count() == 1 and "第二次督办" in urged.get().message
    client = Client()
    client.force_login(street.handler)
    assert '<span class="badge">2</span>' in badge(client)  # 新派单 + one 督办, not two
    client.get(f"/notifications/{urged.get().pk}/open/")
    case.refresh_from_db()
    services.case_urge(actor=street.leader, case=case, note="第三次督办")
    assert urged.count() == 2  # read notices stay; a new event after reading is a new notice
    assert urged.filter(read_at__isnull=True).get().message.endswith("第三次督办")
    assert '<span class="badge">2</span>' in badge(client)


def test_the_same_kind_on_another_case_is_its_own_notice(street):
    one, two = street.signed_case(), street.signed_case()
    services.case_urge(actor=street.leader, case=one, note="甲")
    services.case_urge(actor=street.leader, case=two, note="乙")
    assert Notification.objects.filter(user=street.handler, kind="urged").count() == 2
