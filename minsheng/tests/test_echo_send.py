from datetime import date

import pytest
from django.test import Client

from core.errors import Conflict
from minsheng.models import Echo, EchoCallback, ProjectEvent
from minsheng.sections import echoes
from minsheng.services import echo as echo_services
from minsheng.services import projects as services
from registry import services as registry_services

from .factories import household_with_head, need_of, project


@pytest.fixture
def sms(settings):
    sent = []

    class Outbox:
        def send(self, phone, text):
            sent.append((phone, text))

    settings.SMS_BACKEND = "minsheng.tests.test_echo_send.Outbox"
    Outbox.sent = sent
    globals()["Outbox"] = Outbox
    return sent


def _setup(street, households=3):
    p = project(street)
    people = []
    for i in range(households):
        household, person = household_with_head(street, address=f"愚园路12{i}弄3号201室", name=f"居民{i}",
                                                phone=f"1390000111{i}")
        p.needs.add(need_of(street, household))
        people.append(person)
    milestone = p.milestones.order_by("order").first()
    services.milestone_complete(actor=street.leader, milestone=milestone, done_on=date(2026, 3, 30))
    milestone.refresh_from_db()
    return p, milestone, people


def test_each_household_is_told_once(street, sms, django_capture_on_commit_callbacks):
    p, milestone, people = _setup(street)
    with django_capture_on_commit_callbacks(execute=True):
        result = echo_services.echo_send(actor=street.leader, project=p, milestone=milestone)
    assert (result.sent, result.already, result.sampled) == (3, 0, 1)
    assert sorted(phone for phone, _ in sms) == sorted(person.phone for person in people)
    text = Echo.objects.first().text
    assert "您反映的“老人上下楼困难,希望加装电梯”已纳入2026年十大民生项目“老旧小区加装电梯”" in text
    assert "完成方案设计" in text
    with django_capture_on_commit_callbacks(execute=True):
        again = echo_services.echo_send(actor=street.leader, project=p, milestone=milestone)
    assert (again.sent, again.already) == (0, 3)
    assert Echo.objects.count() == 3 and len(sms) == 3
    assert ProjectEvent.objects.filter(project=p, action="echo").count() == 2


def test_the_needs_person_is_told_before_the_head(street, sms, django_capture_on_commit_callbacks):
    p = project(street)
    household, head = household_with_head(street)
    raiser = registry_services.person_create(actor=street.dispatcher, name="李明", phone="13700002222",
                                             household=household, relation="child")
    p.needs.add(need_of(street, household, person=raiser))
    services.project_set_status(actor=street.leader, project=p, status="done")
    with django_capture_on_commit_callbacks(execute=True):
        echo_services.echo_send(actor=street.leader, project=p)
    assert [phone for phone, _ in sms] == ["13700002222"]
    assert Echo.objects.get().person == raiser


def test_an_open_milestone_or_project_sends_nothing(street, sms):
    p = project(street)
    with pytest.raises(Conflict, match="尚未完成"):
        echo_services.echo_send(actor=street.leader, project=p, milestone=p.milestones.first())
    with pytest.raises(Conflict, match="尚未完成"):
        echo_services.echo_send(actor=street.leader, project=p)
    assert not Echo.objects.exists() and not sms


def test_callback_once_per_sampled_echo(street, sms):
    p, milestone, _ = _setup(street)
    echo_services.echo_send(actor=street.leader, project=p, milestone=milestone)
    sampled = Echo.objects.get(in_callback_sample=True)
    other = Echo.objects.filter(in_callback_sample=False).first()
    with pytest.raises(Conflict, match="不在回访抽样"):
        echo_services.echo_callback_record(actor=street.callback, echo=other, satisfaction="satisfied")
    echo_services.echo_callback_record(actor=street.callback, echo=sampled, satisfaction="basically", remarks="好")
    with pytest.raises(Conflict, match="已回访"):
        echo_services.echo_callback_record(actor=street.callback, echo=sampled, satisfaction="satisfied")
    assert EchoCallback.objects.get().satisfaction == "basically"


def test_the_resident_section_shows_the_households_echoes(street, sms):
    p, milestone, people = _setup(street, households=2)
    echo_services.echo_send(actor=street.leader, project=p, milestone=milestone)
    section = echoes(None, people[0])
    assert section.key == "echoes" and len(section.context["echoes"]) == 1
    assert "老旧小区加装电梯" in section.context["echoes"][0]["text"]
    stranger = registry_services.person_create(actor=street.dispatcher, name="路人", phone="13600000000")
    assert echoes(None, stranger) is None


def test_the_callback_page_shows_phones_clear_to_the_callback_desk_and_masked_to_the_admin(street, sms):
    p, milestone, people = _setup(street)
    echo_services.echo_send(actor=street.leader, project=p, milestone=milestone)
    sampled = Echo.objects.get(in_callback_sample=True)
    client = Client()
    client.force_login(street.callback)
    page = client.get("/minsheng/projects/callbacks/").content.decode()
    assert sampled.person.phone in page
    client.force_login(street.admin)
    page = client.get("/minsheng/projects/callbacks/").content.decode()
    assert sampled.person.phone not in page
    client.force_login(street.cadre)
    assert client.get("/minsheng/projects/callbacks/").status_code == 403
    client.force_login(street.callback)
    response = client.post(f"/minsheng/projects/callbacks/{sampled.pk}/", {"satisfaction": "satisfied"})
    assert response.status_code == 302 and EchoCallback.objects.count() == 1
    response = client.post(f"/minsheng/projects/callbacks/{sampled.pk}/", {"satisfaction": "satisfied"})
    assert response.status_code == 409 and "已回访" in response.content.decode()
