"""The handler's case detail: 办结 with photos (multipart, also via htmx), length limits, tap-to-call audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from cases.models import Attachment, Case, State
from core.testing import tiny_png

pytestmark = pytest.mark.django_db


def photo(name="现场.png", color=(200, 40, 40)):
    return SimpleUploadedFile(name, tiny_png(color), content_type="image/png")


def test_finish_form_is_multipart_with_photos_a_confirmation_step_and_limits(client, street):
    case = street.handling_case()
    client.force_login(street.handler)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    form = html[html.index('data-action="finish"'):]
    form = form[:form.index("</form>")]
    assert 'enctype="multipart/form-data"' in form and 'name="photos"' in form and "multiple" in form
    assert "data-confirm-step" in form and "确认办结" in form and 'class="confirm-step" hidden' in form
    assert 'name="result" rows="2" maxlength="5000"' in form and 'name="explanation" rows="2" maxlength="5000"' in form


@pytest.mark.parametrize("htmx", [False, True])
def test_finish_with_photos_stores_them_on_the_finish_event(client, street, htmx):
    case = street.handling_case()
    client.force_login(street.handler)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(f"/cases/{case.pk}/act/finish/", {
        "result": "堆物已清理", "demand_met": "on", "explanation": "",
        "photos": [photo("前.png"), photo("后.png", (20, 160, 40))]}, **headers)
    assert response.status_code == (200 if htmx else 302)
    case.refresh_from_db()
    finish = case.events.get(action="finish")
    assert case.state == State.HANDLED
    assert sorted(Attachment.objects.filter(case=case).values_list("original_name", "event_id")) == [
        ("前.png", finish.pk), ("后.png", finish.pk)]
    if htmx:
        assert "前.png" in response.content.decode()  # the timeline shows them under 办结


def test_a_refused_photo_finishes_nothing_and_says_which(client, street):
    case = street.handling_case()
    client.force_login(street.handler)
    bad = SimpleUploadedFile("假图.png", b"not an image at all", content_type="image/png")
    response = client.post(f"/cases/{case.pk}/act/finish/", {"result": "堆物已清理", "demand_met": "on",
                                                            "photos": [photo(), bad]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "假图.png" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.HANDLING and not Attachment.objects.exists()


def test_an_over_long_result_is_refused_with_the_count_not_cut(client, street):
    case = street.handling_case()
    client.force_login(street.handler)
    response = client.post(f"/cases/{case.pk}/act/finish/", {"result": "清" * 12000, "demand_met": "on"},
                           HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 422 and "办结情况最多 5000 字,现为 12000 字" in text
    case.refresh_from_db()
    assert case.state == State.HANDLING and case.handling_result == ""


def test_the_api_refuses_an_over_long_result_too(client, street):
    case = street.handling_case()
    client.force_login(street.handler)
    response = client.post(f"/api/cases/{case.pk}/finish", {"result": "清" * 5001}, content_type="application/json")
    assert response.status_code == 422
    case.refresh_from_db()
    assert case.state == State.HANDLING


def test_register_refuses_more_than_5000_characters_instead_of_cutting(client, street):
    client.force_login(street.intake)
    page = client.get("/cases/new/").content.decode()
    assert 'maxlength="5000"' in page and "最多 5000 字" in page
    response = client.post("/cases/new/", {"source": "walk_in", "content": "堆" * 5600, "urgency": "normal"})
    text = response.content.decode()
    assert response.status_code == 422 and "诉求内容最多 5000 字,现为 5600 字" in text
    assert "堆" * 5600 in text  # what was typed comes back whole
    assert not Case.objects.exists()


def test_quick_register_on_the_workbench_refuses_too(client, street):
    client.force_login(street.intake)
    home = client.get("/").content.decode()
    assert 'maxlength="5000"' in home and "最多 5000 字" in home
    response = client.post("/work/register/", {"source": "walk_in", "content": "堆" * 5001, "urgency": "normal"})
    assert response.status_code == 422 and "诉求内容最多 5000 字" in response.content.decode()
    assert not Case.objects.exists()


def test_tap_to_call_is_a_link_through_an_audited_redirect(client, street):
    case = street.dispatched_case()
    client.force_login(street.handler)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/cases/{case.pk}/call/"' in html and 'id="call-citizen"' in html
    before = AuditEntry.objects.filter(object_type="case_call").count()
    response = client.get(f"/cases/{case.pk}/call/")
    assert response.status_code == 302 and response["Location"] == "tel:13812341234"
    entry = AuditEntry.objects.filter(object_type="case_call").get()
    assert before == 0 and entry.action == AuditEntry.Action.VIEW_PERSONAL_DATA and entry.object_id == case.number
    assert entry.actor == street.handler


def test_no_tap_to_call_for_who_sees_the_phone_masked(client, street):
    case = street.dispatched_case()
    client.force_login(street.leader)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "call-citizen" not in html
    response = client.get(f"/cases/{case.pk}/call/")
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(object_type="case_call").exists()
    client.force_login(street.handler_other)  # another department's handler: not even the case
    assert client.get(f"/cases/{case.pk}/call/").status_code == 404
