"""submission_create: scope, the engine's check, instance ids (resend stored once, conflict refused and kept),
photos, and the prefill of a follow-up visit; the fill/submit pages and the API insider and outsider."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from core.errors import Conflict, PermissionDenied, ValidationFailed
from questionnaires.models import Channel, Submission, SubmissionAttachment, SubmissionRejection
from questionnaires.services import questionnaire_load
from questionnaires.submit import previous_answers, submission_create
from registry import services as registry_services

from .xlsforms import BASIC_CHOICES, BASIC_SURVEY, xlsform_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(street):
    return questionnaire_load(actor=street.admin, content=xlsform_bytes(BASIC_SURVEY, BASIC_CHOICES),
                              filename="hh.xlsx")[0]


@pytest.fixture
def homes(street):
    inside = registry_services.household_create(actor=street.dispatcher, address="愚园路128弄3号501室")
    outside = registry_services.household_create(actor=street.dispatcher, address="康定路900弄2号101室",
                                                  neighbourhood=street.other_neighbourhood)
    return inside, outside


def answers(**changes):
    data = {"size": 3, "elderly": "no", "area": "n", "sub": "x", "members": [{"mname": "李四"}], "income": 100}
    data.update(changes)
    return data


def png(name="p.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_it_stores_once_and_a_resend_returns_the_stored_one(street, version, homes):
    first, created = submission_create(actor=street.cadre, form_version=version, instance_id="uuid:aaaa-1111",
                                       data=answers(double=99), channel=Channel.ONLINE, household=homes[0])
    assert created and first.data["double"] == 6 and first.neighbourhood_id == homes[0].neighbourhood_id
    again, created = submission_create(actor=street.cadre, form_version=version, instance_id="uuid:aaaa-1111",
                                       data=answers(double=7), channel=Channel.OFFLINE, household=homes[0])
    assert not created and again.pk == first.pk and Submission.objects.count() == 1


def test_same_id_other_content_is_a_conflict_kept_as_a_rejection(street, version, homes):
    submission_create(actor=street.cadre, form_version=version, instance_id="uuid:bbbb-2222", data=answers(),
                      channel=Channel.ONLINE, household=homes[0])
    with pytest.raises(Conflict, match="该问卷实例编号已提交过不同内容"):
        submission_create(actor=street.cadre, form_version=version, instance_id="uuid:bbbb-2222",
                          data=answers(size=4), channel=Channel.ONLINE, household=homes[0])
    assert Submission.objects.count() == 1
    assert SubmissionRejection.objects.get().data["size"] == 4


def test_invalid_answers_are_refused_with_the_errors(street, version, homes):
    with pytest.raises(ValidationFailed) as caught:
        submission_create(actor=street.cadre, form_version=version, instance_id="uuid:cccc-3333",
                          data=answers(size=30), channel=Channel.ONLINE, household=homes[0])
    assert caught.value.details["errors"] == {"size": "人口须在1到19之间"}
    assert not Submission.objects.exists() and SubmissionRejection.objects.count() == 1


def test_a_cadre_of_another_neighbourhood_cannot_submit_for_a_household_outside_its_area(street, version, homes):
    with pytest.raises(PermissionDenied, match="不在您负责的区域内"):
        submission_create(actor=street.cadre, form_version=version, instance_id="uuid:dddd-4444", data=answers(),
                          channel=Channel.ONLINE, household=homes[1])
    for user in (street.handler, street.leader, street.auditor):
        with pytest.raises(PermissionDenied):
            submission_create(actor=user, form_version=version, instance_id="uuid:dddd-5555", data=answers(),
                              channel=Channel.ONLINE)


def test_photos_are_checked_and_stored(street, version, homes):
    with pytest.raises(ValidationFailed, match="照片未随问卷上传"):
        submission_create(actor=street.cadre, form_version=version, instance_id="uuid:eeee-5555",
                          data=answers(photo="photo-1.jpg"), channel=Channel.ONLINE, household=homes[0])
    with pytest.raises(ValidationFailed):
        submission_create(actor=street.cadre, form_version=version, instance_id="uuid:eeee-5556",
                          data=answers(photo="photo-1.jpg"), channel=Channel.ONLINE, household=homes[0],
                          files={"photo-1.jpg": SimpleUploadedFile("photo-1.jpg", b"MZ not an image")})
    stored, _ = submission_create(actor=street.cadre, form_version=version, instance_id="uuid:eeee-5557",
                                  data=answers(photo="photo-1.jpg"), channel=Channel.ONLINE, household=homes[0],
                                  files={"photo-1.jpg": png("photo-1.jpg")})
    attachment = SubmissionAttachment.objects.get(submission=stored)
    assert attachment.question == "photo" and attachment.content_type.startswith("image/") and attachment.size > 0


def test_previous_answers_map_by_name_and_type_onto_the_current_version(street, version, homes):
    submission_create(actor=street.cadre, form_version=version, instance_id="uuid:ffff-6666",
                      data=answers(photo=""), channel=Channel.ONLINE, household=homes[0])
    survey = [["text", "size", "人口(文字)"], ["select_one yn", "elderly", "老人"], ["begin_repeat", "members", "成员"],
              ["text", "mname", "姓名"], ["end_repeat"]]
    questionnaire_load(actor=street.admin, content=xlsform_bytes(survey, BASIC_CHOICES, version="2"),
                       filename="hh.xlsx")
    mapped = previous_answers(homes[0], version.questionnaire)
    assert mapped == {"elderly": "no", "members": [{"mname": "李四"}]}  # size changed type: not carried over


def post(client, slug, payload):
    return client.post(f"/questionnaires/{slug}/submit/", {"payload": json.dumps(payload)})


def test_the_submit_page_insider_outsider_and_resend(street, version, homes):
    cadre = Client()
    cadre.force_login(street.cadre)
    payload = {"instance_id": "uuid:gggg-7777", "version": version.pk, "data": answers(), "household": homes[0].pk}
    first = post(cadre, "hh", payload)
    assert first.status_code == 201 and first.json()["message"] == "已收到"
    again = post(cadre, "hh", payload)
    assert again.status_code == 200 and "已收到" in again.json()["message"] and Submission.objects.count() == 1
    conflict = post(cadre, "hh", {**payload, "data": answers(size=5)})
    assert conflict.status_code == 409 and "不同内容" in conflict.json()["message"]
    outside = post(cadre, "hh", {**payload, "instance_id": "uuid:gggg-8888", "household": homes[1].pk})
    assert outside.status_code == 404
    bad = post(cadre, "hh", {**payload, "instance_id": "uuid:gggg-9999", "data": answers(size="")})
    assert bad.status_code == 422 and bad.json()["details"]["errors"]["size"] == "此题必答"
    handler = Client()
    handler.force_login(street.handler)
    assert post(handler, "hh", {**payload, "instance_id": "uuid:hhhh-0000"}).status_code == 403
    assert cadre.get(f"/questionnaires/hh/fill/?household={homes[0].pk}&prefill=1").status_code == 200
    assert cadre.get(f"/questionnaires/hh/fill/?household={homes[1].pk}").status_code == 404
    assert handler.get("/questionnaires/hh/fill/").status_code == 403
    assert handler.get("/questionnaires/").status_code == 403
    page = cadre.get("/questionnaires/")
    assert page.status_code == 200 and "户情" in page.content.decode()


def test_the_api_conflict_is_409_and_household_answers_are_masked_for_the_leader(street, version, homes):
    cadre = Client()
    cadre.force_login(street.cadre)
    body = {"version_id": version.pk, "instance_id": "uuid:iiii-1111", "household_id": homes[0].pk,
            "data": answers(members=[{"mname": "张建国"}], elderly="yes", needlist=["other"],
                            other="张建国 电话13812341234")}
    assert cadre.post("/api/questionnaires/submissions", body, content_type="application/json").status_code == 201
    assert cadre.post("/api/questionnaires/submissions", body, content_type="application/json").status_code == 200
    changed = {**body, "data": {**body["data"], "size": 9}}
    conflict = cadre.post("/api/questionnaires/submissions", changed, content_type="application/json")
    assert conflict.status_code == 409 and "该问卷实例编号已提交过不同内容" in conflict.json()["message"]
    leader = Client()
    leader.force_login(street.leader)
    rows = leader.get(f"/api/questionnaires/households/{homes[0].pk}/submissions").json()
    assert rows[0]["masked"] and "13812341234" not in json.dumps(rows, ensure_ascii=False)
    clear = cadre.get(f"/api/questionnaires/households/{homes[0].pk}/submissions").json()
    assert "13812341234" in clear[0]["data"]["other"]
    other_cadre = Client()
    from org.models import Role
    from org.tests.factories import UserFactory
    other_cadre.force_login(UserFactory(role=Role.CADRE, neighbourhood=street.other_neighbourhood))
    assert other_cadre.get(f"/api/questionnaires/households/{homes[0].pk}/submissions").status_code == 404
    outside = other_cadre.post("/api/questionnaires/submissions", {**body, "instance_id": "uuid:iiii-2222"},
                               content_type="application/json")
    assert outside.status_code == 404
    handler = Client()
    handler.force_login(street.handler)
    assert handler.get("/api/questionnaires").status_code == 403
