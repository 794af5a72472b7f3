"""The visits demo on a small street: the two XLSForms loaded (and loadable by the command), a year of plans and
visits with the outcome mix, questionnaires the server's engine accepts, plan targets linked, deterministic and
idempotent."""

import hashlib
import importlib
import json
import random
import re
from collections import Counter
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from core import clock
from demo import services
from demo.minqing_visits import load_forms, load_visits
from demo.registry import demo_registry_load
from demo.xlsforms import FOLDER, FORMS, NEED_CATEGORIES, write_all
from minqing.models import PlanRule, Visit, VisitEvent, VisitOutcome, VisitPlan, VisitPlanTarget
from org.models import Role, User
from questionnaires.engine import validate
from questionnaires.models import Channel, FormVersion, Questionnaire, Submission
from questionnaires.submit import digest_of
from questionnaires.xlsform import read_xlsform
from registry.models import Household, Membership

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SEED, COUNT = 5, 600


def _street() -> dict:
    with transaction.atomic():
        services._build_org(random.Random(SEED))
    demo_registry_load(seed=SEED, households=400, now=NOW)
    with clock.frozen_at(NOW):
        return load_visits(seed=SEED, count=COUNT, now=NOW)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        result = _street()
        digest = _digest()
    yield result, digest
    with django_db_blocker.unblock():
        call_command("flush", "--noinput")


def _digest() -> str:
    visits = Visit.objects.order_by("visited_on", "created_at", "pk").values_list(
        "visited_on", "household__address_key", "unit__name", "outcome", "notes", "companions", "met_person__name",
        "created_by__username", "created_at")
    plans = VisitPlan.objects.order_by("pk").values_list("title", "neighbourhood__code", "rule", "status", "due_on")
    targets = VisitPlanTarget.objects.order_by("pk").values_list("plan__title", "household__address_key",
                                                                 "visit__visited_on")
    submissions = Submission.objects.order_by("instance_id").values_list("instance_id", "digest", "channel", "data",
                                                                         "received_at")
    text = repr([list(visits), list(plans), list(targets), [(*s[:3], json.dumps(s[3], sort_keys=True), s[4])
                                                              for s in submissions]])
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_two_forms_are_loaded_with_their_version(loaded):
    forms = {q.slug: q for q in Questionnaire.objects.all()}
    assert set(forms) == {"household_basics", "livelihood_needs"}
    assert forms["household_basics"].title == "户情基础信息" and forms["livelihood_needs"].title == "民生需求调查"
    for questionnaire in forms.values():
        version = questionnaire.current_version
        assert version.number == 1 and version.version_label == "2026.1" and version.question_count >= 10
        assert "<h:html" in version.xform and version.loaded_by.role == Role.SYSTEM
    assert load_forms()["household_basics"].number == 1 and FormVersion.objects.count() == 2  # same files: no new


def test_the_committed_workbooks_are_what_the_generator_writes(tmp_path):
    for path in write_all(tmp_path):
        committed = read_xlsform((FOLDER / path.name).read_bytes(), filename=path.name)
        fresh = read_xlsform(path.read_bytes(), filename=path.name)
        assert committed.spec == fresh.spec, path.name


def test_the_forms_use_the_rules_they_are_there_to_show():
    spec = read_xlsform((FOLDER / "household_basics.xlsx").read_bytes(), filename="household_basics.xlsx").spec
    nodes = {n["name"]: n for n in _walk(spec["questions"])}
    assert nodes["hh_size"]["constraint"] and nodes["hh_size"]["constraint_message"] == "常住人口须在 1 到 15 人之间"
    assert nodes["members"]["type"] == "repeat" and nodes["lives_alone"]["relevant"]
    assert {nodes[n]["type"] for n in ("member_count", "location", "door_photo", "age_bands", "housing_type")} == {
        "calculate", "geopoint", "image", "select_multiple", "select_one"}
    assert not nodes["door_photo"]["required"]
    checked = validate(spec, {"hh_size": 20, "housing_type": "owned", "age_bands": ["18_59"]}, today="2026-11-24")
    assert checked.errors["hh_size"] == "常住人口须在 1 到 15 人之间"
    checked = validate(spec, {"hh_size": 2, "housing_type": "owned", "age_bands": ["60_79"], "elderly_count": 3,
                              "lives_alone": "yes"}, today="2026-11-24")
    assert checked.errors == {"elderly_count": "老人人数须在 1 到家庭常住人口之间"}
    assert "lives_alone" not in checked.cleaned_data  # relevant only for one person
    spec = read_xlsform((FOLDER / "livelihood_needs.xlsx").read_bytes(), filename="livelihood_needs.xlsx").spec
    nodes = {n["name"]: n for n in _walk(spec["questions"])}
    categories = importlib.import_module("minqing.migrations.0002_needs_categories").CATEGORIES
    labels = [c["label"] for c in nodes["need_categories"]["choices"]]
    assert labels == [label for _, label, _ in NEED_CATEGORIES] and sorted(labels) == sorted(categories)
    assert nodes["top_need"]["choice_filter"] and nodes["need_detail"]["choice_filter"]
    checked = validate(spec, {"sat_overall": "1", "sat_environment": "3", "sat_property": "3", "sat_safety": "4",
                              "need_categories": ["parking"], "top_need": "elevator", "need_detail": "leak",
                              "join_council": "no"}, today="2026-11-24")
    assert set(checked.errors) == {"dissatisfied_reason", "top_need", "need_detail"}


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.get("children") or [])


def test_load_xlsform_takes_the_committed_files(loaded):
    for filename in FORMS:
        out = StringIO()
        call_command("load_xlsform", str(FOLDER / filename), stdout=out)
        last = json.loads(out.getvalue().strip().splitlines()[-1])
        assert last["created"] is False and last["version"] == 1 and last["url"].endswith("/fill/")


def test_the_fill_page_renders_both_forms_for_a_cadre(loaded):
    cadre = User.objects.get(username="cadre")
    household = Household.objects.filter(neighbourhood_id=cadre.neighbourhood_id).order_by("pk").first()
    client = Client()
    client.force_login(cadre)
    for slug, title, label in (("household_basics", "户情基础信息", "家庭常住人口(人)"),
                               ("livelihood_needs", "民生需求调查", "对社区服务的总体满意度")):
        response = client.get(f"/questionnaires/{slug}/fill/?household={household.pk}")
        assert response.status_code == 200
        html = response.content.decode()
        assert f"<h1>{title}</h1>" in html and "第1版" in html
        spec = json.loads(re.search(r'<script id="qform-spec" type="application/json">(.*?)</script>', html, re.S)[1])
        assert label in [n["label"] for n in _walk(spec["questions"])]


def test_a_year_of_visits_with_the_outcome_mix(loaded):
    result, _ = loaded
    assert result["visits"] == COUNT == Visit.objects.count()
    outcomes = Counter(Visit.objects.values_list("outcome", flat=True))
    assert 0.72 <= outcomes[VisitOutcome.MET] / COUNT <= 0.88
    assert 0.09 <= outcomes[VisitOutcome.ABSENT] / COUNT <= 0.22 and 0.01 <= outcomes[VisitOutcome.REFUSED] / COUNT <= 0.1
    days = Visit.objects.values_list("visited_on", flat=True)
    today = NOW.date()
    assert min(days) >= today - timedelta(days=364) and max(days) <= today
    assert len({d.month for d in days}) == 12
    assert Visit.objects.filter(unit__isnull=False).exists()


def test_visitors_are_the_homes_own_and_the_person_met_lives_there(loaded):
    from minqing.policy import in_scope

    assert User.objects.filter(role=Role.CADRE).values("neighbourhood").distinct().count() == 16  # a cadre in each
    for visit in Visit.objects.prefetch_related("visitors").select_related("household", "unit").order_by("pk")[:200]:
        people = list(visit.visitors.all())
        place = visit.household or visit.unit
        assert people and visit.created_by_id in {u.pk for u in people}
        for user in people:  # minqing's own rule for a visitor
            assert user.role in (Role.CADRE, Role.GRID) and user.is_active
            assert in_scope(user, neighbourhood_id=place.neighbourhood_id, grid_id=place.grid_id), (user, visit.pk)
        if visit.met_person_id:
            assert visit.outcome == VisitOutcome.MET
            assert Membership.objects.filter(person_id=visit.met_person_id, household_id=visit.household_id,
                                             ended_at__isnull=True).exists()
        assert visit.notes and not re.search(r"\d", visit.notes)  # no phone or room numbers in the notes
    assert VisitEvent.objects.filter(action="visit_record").count() == COUNT
    assert VisitEvent.objects.filter(action="plan_create").count() == VisitPlan.objects.count()
    assert VisitEvent.objects.filter(action="plan_done").count() == VisitPlan.objects.filter(status="done").count()
    event = VisitEvent.objects.filter(action="visit_record", visit__submissions__isnull=False).first()
    assert event.payload["submissions"] == list(event.visit.submissions.order_by("pk").values_list("pk", flat=True))


def test_plans_follow_the_rules_with_targets_done_open_and_overdue(loaded):
    today = NOW.date()
    monthly = VisitPlan.objects.filter(rule=PlanRule.ALONE_ELDERLY_MONTHLY)
    yearly = VisitPlan.objects.filter(rule=PlanRule.ALL_HOUSEHOLDS_YEARLY)
    assert yearly.count() == Household.objects.values("neighbourhood").distinct().count()
    for plan in yearly:
        assert plan.targets.count() == Household.objects.filter(neighbourhood=plan.neighbourhood).count()
    alone = set(Household.objects.filter(memberships__person__tags__name="独居老人",
                                         memberships__ended_at__isnull=True).values_list("pk", flat=True))
    assert monthly.exists()
    assert set(VisitPlanTarget.objects.filter(plan__in=monthly).values_list("household_id", flat=True)) == alone
    done = VisitPlanTarget.objects.filter(visit__isnull=False).select_related("visit", "plan")
    assert done.exists() and VisitPlanTarget.objects.filter(visit__isnull=True, plan__due_on__gte=today).exists()
    # Overdue targets are the households nobody has met since the plan began: a later visit fills an earlier
    # plan's target, as visit_record does.
    for target in VisitPlanTarget.objects.filter(visit__isnull=True, plan__due_on__lt=today).select_related("plan"):
        assert not Visit.objects.filter(household_id=target.household_id, outcome=VisitOutcome.MET,
                                        visited_on__gte=target.plan.starts_on).exists()
    for target in done:
        assert target.visit.household_id == target.household_id and target.visit.outcome == VisitOutcome.MET
        assert target.plan.starts_on <= target.visit.visited_on
    assert VisitPlan.objects.filter(status=VisitPlan.Status.DONE, rule=PlanRule.ALONE_ELDERLY_MONTHLY).exists()
    # a 独居老人's monthly visit reaches its household's yearly target too
    assert done.filter(plan__in=yearly, household_id__in=alone,
                       visit__plan_targets__plan__rule=PlanRule.ALONE_ELDERLY_MONTHLY).exists()
    for plan in VisitPlan.objects.filter(status=VisitPlan.Status.DONE):
        assert plan.due_on < today and not plan.targets.filter(visit__isnull=True).exists()


def test_submissions_are_what_the_server_would_have_stored(loaded):
    result, _ = loaded
    assert result["household_basics"] == round(COUNT * 0.3) and result["livelihood_needs"] == round(COUNT * 0.15)
    assert Submission.objects.count() == result["submissions"] == Visit.submissions.through.objects.count()
    assert {c for c in Submission.objects.values_list("channel", flat=True)} >= {Channel.ONLINE, Channel.PAPER}
    for submission in Submission.objects.select_related("form_version", "household", "person").order_by("pk")[::7]:
        visit = submission.visits.get()
        assert visit.outcome == VisitOutcome.MET and submission.household_id == visit.household_id
        assert submission.instance_id.startswith("uuid:") and len(submission.instance_id) == 41
        checked = validate(submission.form_version.spec, submission.data, today=visit.visited_on)
        assert checked.errors == {} and checked.cleaned_data == submission.data
        assert submission.digest == digest_of(form_version=submission.form_version, data=submission.data,
                                              household=submission.household, unit=None, person=submission.person)
        assert submission.received_at <= NOW and submission.submitted_by_id == visit.created_by_id
        if submission.channel == Channel.PAPER:
            assert submission.paper_note


def test_loading_again_changes_nothing(loaded):
    before = (Visit.objects.count(), Submission.objects.count(), VisitPlan.objects.count(), FormVersion.objects.count())
    with clock.frozen_at(NOW):
        assert load_visits(seed=SEED, count=COUNT, now=NOW)["skipped"] is True
    assert (Visit.objects.count(), Submission.objects.count(), VisitPlan.objects.count(),
            FormVersion.objects.count()) == before


def test_the_same_seed_gives_the_same_visits(loaded):
    _, digest = loaded
    call_command("flush", "--noinput")
    _street()
    assert _digest() == digest
