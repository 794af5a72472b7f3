"""Every page and API operation × every role (and anonymous) × an in-scope and an out-of-scope object, against
the one declared policy in chengyun.access_policy. A URL or API operation without a policy entry fails here.

Each request runs inside a savepoint that is rolled back, so an allowed action does not change what the next one
sees; every refusal (403) must also have written a "权限拒绝" audit entry. Every difference from the policy is
collected and reported at once.
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from audit.models import AuditEntry
from cases import services as case_services
from cases.models import Request
from chengyun import access_policy
from chengyun.access_policy import API, Access
from chengyun.api import api
from dispatch.models import ClassifierVersion
from hotline.models import ImportJob
from hotline.services import default_profile
from org.models import Role, User
from org.services import api_token_create
from org.tests.factories import PASSWORD
from registry.importing import default_profile as registry_default_profile
from registry.models import LinkCandidate, RegistryImportJob
from reports.models import Report
from sensors.models import MonitoringPoint

pytestmark = pytest.mark.django_db


def url_names(patterns=None, namespace: str = "") -> Iterator[str]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                pattern.namespace or namespace)
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def api_operations() -> Iterator[tuple[str, str, str]]:
    """(operation id, HTTP method, path template under /api) for every operation of every router."""
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                op_id = operation.operation_id or operation.view_func.__name__
                full = re.sub(r"/+", "/", f"/api/{prefix}/{path}").rstrip("/")
                for method in operation.methods:
                    yield op_id, method, full


API_OPERATION_IDS = {op_id for op_id, _, _ in api_operations()}


def test_every_url_has_a_policy_entry():
    missing = []
    for name in url_names():
        if name.startswith("api:") and name.split(":", 1)[1] in API_OPERATION_IDS:
            continue  # an API operation's URL: checked per operation below
        if access_policy.page_access(name) is None:
            missing.append(name)
    assert not missing, f"URLs without an entry in chengyun/access_policy.py PAGES: {missing}"


def test_every_api_operation_has_a_policy_entry():
    missing = sorted(op_id for op_id in API_OPERATION_IDS if op_id not in API)
    assert not missing, f"API operations without an entry in chengyun/access_policy.py API: {missing}"


def test_the_policy_names_no_url_or_operation_that_does_not_exist():
    names = set(url_names())
    assert not [n for n in access_policy.PAGES if n not in names]
    assert not [op for op in API if op not in API_OPERATION_IDS]


def test_every_role_is_in_the_matrix():
    assert set(access_policy.HUMAN_ROLES) == set(Role.values) - {Role.SYSTEM}


# --- the matrix ----------------------------------------------------------------------------------------------


def png() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


class World:
    """The objects the probes point at: for each scope kind, one inside the actor's scope and one outside."""

    def __init__(self, street, tmp_path):
        self.street = street
        self.users: dict[str, User] = {
            Role.ADMIN: street.admin, Role.INTAKE: street.intake, Role.DISPATCHER: street.dispatcher,
            Role.HANDLER: street.handler, Role.CALLBACK: street.callback, Role.LEADER: street.leader,
            Role.GRID: street.grid_user, Role.CADRE: street.cadre, Role.AUDITOR: street.auditor,
        }
        # In scope for everyone: the street's grid and 居民区, dispatched to the handler's department.
        self.case_in = case_services.case_dispatch(
            actor=street.dispatcher, case=street.new_case(), lead_department=street.department,
            co_departments=[street.co_department])
        # Outside the scope of every role that has one: another grid, 居民区 and department.
        self.case_out = case_services.case_dispatch(
            actor=street.dispatcher, case=street.new_case(address="", grid=street.other_grid),
            lead_department=street.other_department)
        self.attachments = {
            case.pk: case_services.case_attach(actor=street.dispatcher, case=case, upload=png(), note="现场照片")
            for case in (self.case_in, self.case_out)
        }
        returned = case_services.case_dispatch(actor=street.dispatcher, case=street.new_case(),
                                               lead_department=street.department)
        self.master = returned
        case_services.case_request_return(actor=street.handler, case=returned, reason="不属于本单位")
        self.request = Request.objects.get(case=returned)
        self.import_job = ImportJob.objects.create(
            file="hotline/none.xlsx", original_name="none.xlsx", profile=default_profile(),
            status=ImportJob.Status.DONE, created_by=street.intake)
        self.registry_import_job = RegistryImportJob.objects.create(
            kind="persons", file="registry-import/none.csv", original_name="none.csv",
            profile=registry_default_profile("persons"), status=RegistryImportJob.Status.DONE, created_by=street.cadre)
        self.link_candidate = LinkCandidate.objects.create(
            entity="person", object_id=1, fingerprint="probe", values={"name": "张三"}, score=0.9,
            neighbourhood=street.neighbourhood, created_at=timezone.now())
        self.point = MonitoringPoint.objects.create(code="P-1", name="积水点", address="愚园路", threshold=10,
                                                    category=street.category)
        self.foreign_token = api_token_create(user=street.handler_other)[0]
        (tmp_path / "reports").mkdir()
        (tmp_path / "reports" / "2026-10.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
        # A model version for GET /api/dispatch/classifier (the blob is never loaded by that endpoint).
        ClassifierVersion.objects.create(trained_at=timezone.now(), n_samples=0, n_labels=0, data_description="probe",
                                         model=b"")
        self.report = Report.objects.create(month=date(2026, 10, 1), status=Report.Status.DONE,
                                            pdf_path="reports/2026-10.pdf", requested_by=street.dispatcher,
                                            requested_at=timezone.now())
        self.registry = registry_world(street)
        # --- issue18 projects ---
        self.projects = projects_world(street)
        # --- end issue18 projects ---
        # --- issue18 themes ---
        from minsheng.tests import factories as theme_factories

        self.theme = theme_factories.theme_with_needs(street, "加装电梯", ["老楼想加装电梯", "加装电梯进展"])
        from minsheng.models import ThemeRun

        self.theme_run = ThemeRun.objects.create(period_start=date(2026, 1, 1), period_end=date(2026, 6, 30),
                                                 status=ThemeRun.Status.DONE, started_at=timezone.now(),
                                                 started_by=street.leader)
        # --- end issue18 themes ---
        # --- issue18 qform ---
        from questionnaires.services import questionnaire_load
        from questionnaires.tests.xlsforms import xlsform_bytes

        self.form_version = questionnaire_load(actor=street.admin, filename="probe.xlsx", content=xlsform_bytes(
            [["integer", "size", "家庭人口"]], form_id="probe"))[0]
        # --- end issue18 qform ---
        # --- issue18 needs ---
        self.needs = needs_world(street, self.registry)
        # --- end issue18 needs ---
        # --- issue18 visits ---
        self.visits = visits_world(street, self.registry)
        # --- end issue18 visits ---

    def value(self, symbol: str, user: User | None, in_scope: bool) -> Any:
        case = self.case_in if in_scope else self.case_out
        if symbol == "case":
            return case.pk
        if symbol == "attachment":
            return self.attachments[case.pk].pk
        if symbol == "token":
            return api_token_create(user=user)[0].pk if in_scope and user else self.foreign_token.pk
        if symbol in ("person", "household", "unit"):
            return self.registry[symbol, in_scope].pk
        # --- issue18 projects ---
        if symbol in self.projects:
            return self.projects[symbol]
        # --- end issue18 projects ---
        # --- issue18 needs ---
        if symbol in ("need", "lake_import"):
            return self.needs[symbol, in_scope].pk
        # --- end issue18 needs ---
        # --- issue18 visits ---
        if symbol in ("visit", "visit_plan"):
            return self.visits[symbol, in_scope].pk
        # --- end issue18 visits ---
        if symbol == "own_notice":
            from notifications.models import Notification

            owner = user if user is not None else self.street.handler
            return Notification.objects.create(user=owner, kind="assigned", case=self.case_in, message="probe",
                                               created_at=timezone.now()).pk
        return {
            "request": self.request.pk,
            "service": self.street.category.code,
            "case_number": self.case_in.number,
            "open311_token": "no-such-token",
            "import_job": self.import_job.pk,
            "registry_import_job": self.registry_import_job.pk,
            "link_candidate": self.link_candidate.pk,
            "report": self.report.pk,
            "theme": self.theme.pk,  # --- issue18 themes ---
            "theme_run": self.theme_run.pk,  # --- issue18 themes ---
            "questionnaire": "probe",  # --- issue18 qform ---
            "form_version": self.form_version.pk,  # --- issue18 qform ---
        }.get(symbol, symbol)


def registry_world(street) -> dict[tuple[str, bool], Any]:
    """A person, household and unit in the street's 网格 and 居民区 (in everyone's scope) and one of each in the other
    居民区 (outside the 网格员's and the 居委干部's)."""
    from registry import services as registry_services

    made: dict[tuple[str, bool], Any] = {}
    for in_scope, address, unit_address in ((True, "愚园路128弄3号501室", "愚园路128弄1号"),
                                            (False, "康定路900弄2号101室", "康定路900弄1号")):
        nb = None if in_scope else street.other_neighbourhood
        household = registry_services.household_create(actor=street.dispatcher, address=address, neighbourhood=nb)
        made["household", in_scope] = household
        made["person", in_scope] = registry_services.person_create(
            actor=street.dispatcher, name="张建国", phone="13812341234", household=household, relation="head")
        made["unit", in_scope] = registry_services.unit_create(actor=street.dispatcher, name=f"便利店{address[:3]}",
                                                              address=unit_address, neighbourhood=nb)
    return made


# --- issue18 projects ---
def projects_world(street) -> dict[str, Any]:
    """A 十大民生 project with an open and a done milestone, a sampled echo waiting for its call, a form version."""
    from minsheng.models import Echo
    from minsheng.services import projects as project_services
    from questionnaires.models import FormVersion, Questionnaire

    project = project_services.project_create(
        actor=street.leader, year=2026, rank=1, title="加装电梯", owner_department=street.department,
        milestones=[{"title": "方案", "due_on": date(2026, 3, 1)}, {"title": "施工", "due_on": date(2026, 9, 1)}])
    done, open_one = project.milestones.order_by("order")
    project_services.milestone_complete(actor=street.leader, milestone=done, done_on=date(2026, 3, 1))
    household = registry_world_household(street)
    echo = Echo.objects.create(project=project, milestone=done, household=household, text="probe",
                               sent_at=timezone.now(), sent_by=street.leader, in_callback_sample=True)
    questionnaire = Questionnaire.objects.create(slug="results_probe", title="问卷", created_at=timezone.now(),
                                                 created_by=street.admin)
    version = FormVersion.objects.create(questionnaire=questionnaire, number=1, title="问卷",
                                         spec={"questions": [{"type": "integer", "name": "n", "label": "人数"}]},
                                         source=b"", sha256="0", loaded_at=timezone.now(), loaded_by=street.admin)
    return {"project": project.pk, "milestone": open_one.pk, "done_milestone": done.pk, "echo": echo.pk,
            "form_version": version.pk, "project_year": 2026, "project_version": project.version,
            "department": street.department.pk}


def registry_world_household(street):
    from registry import services as registry_services

    return registry_services.household_create(actor=street.dispatcher, address="愚园路130弄1号101室")


def projects_body(world: World, op_id: str) -> dict[str, Any] | None:
    w = world.projects
    return {
        "minsheng_project_create": {"year": 2031, "rank": 1, "title": "新项目", "owner_department_id": w["department"]},
        "minsheng_project_update": {"version": w["project_version"], "title": "加装电梯(修改)"},
        "minsheng_project_status": {"progress": 50},
        "minsheng_milestone_add": {"title": "验收", "due_on": "2026-12-01"},
        "minsheng_milestone_complete": {"done_on": "2026-03-02"},
        "minsheng_echo_send": {"milestone_id": w["done_milestone"]},
        "minsheng_callback_record": {"satisfaction": "satisfied"},
    }.get(op_id)
# --- end issue18 projects ---
# --- issue18 needs ---
def needs_world(street, registry: dict[tuple[str, bool], Any]) -> dict[tuple[str, bool], Any]:
    """A need of the in-scope household (the street's 居民区 and 网格) and one of the other 居民区's; a lake import
    (the lake is street-wide: the same one either way)."""
    from minqing.models import LakeImport, LakeSource, NeedCategory
    from minqing.services.needs import need_create

    category = NeedCategory.objects.get_or_create(name="加装电梯")[0]
    made: dict[tuple[str, bool], Any] = {}
    for in_scope in (True, False):
        made["need", in_scope] = need_create(actor=street.dispatcher, category=category, text="希望加装电梯",
                                             source="visit", household=registry["household", in_scope])
    source = LakeSource.objects.get_or_create(name="房管报修")[0]
    lake_import = LakeImport.objects.create(source=source, filename="none.csv", status=LakeImport.Status.DONE,
                                            created_at=timezone.now(), created_by=street.dispatcher)
    made["lake_import", True] = made["lake_import", False] = lake_import
    return made
# --- end issue18 needs ---
# --- issue18 visits ---
def visits_world(street, registry: dict[tuple[str, bool], Any]) -> dict[tuple[str, bool], Any]:
    """A visit and a plan of the in-scope household (the street's 居民区 and 网格) and of the other 居民区's."""
    from minqing.models import PlanRule
    from minqing.services.plans import visit_plan_create
    from minqing.services.visits import visit_record
    from org.tests.factories import UserFactory

    other_cadre = UserFactory(username="t_cadre_visits_other", role=Role.CADRE,
                              neighbourhood=street.other_neighbourhood)
    made: dict[tuple[str, bool], Any] = {}
    today = timezone.localdate()
    for in_scope, assignee in ((True, street.cadre), (False, other_cadre)):
        household = registry["household", in_scope]
        made["visit_plan", in_scope] = visit_plan_create(
            actor=street.dispatcher, title="走访计划", neighbourhood=household.neighbourhood, assignee=assignee,
            rule=PlanRule.MANUAL, starts_on=today, due_on=today, households=[household])
        made["visit", in_scope] = visit_record(actor=street.dispatcher, household=household, visited_on=today,
                                               visitors=[assignee], outcome="absent")
    return made


def visits_body(world: World, op_id: str) -> dict[str, Any] | None:
    if op_id == "visit_create":
        return {"household_id": world.registry["household", True].pk, "visited_on": timezone.localdate().isoformat(),
                "outcome": "absent"}
    return None
# --- end issue18 visits ---


# Valid bodies, so a refusal can only come from access control (input is validated before the role check).
def action_bodies(world: World) -> dict[str, Callable[[], dict[str, Any]]]:
    s = world.street
    return {
        "dispatch": lambda: {"lead_department_id": s.department.pk},
        "request_return": lambda: {"reason": "不属于本单位"},
        "approve_return": lambda: {"reason": "同意"},
        "reject_return": lambda: {"reason": "属地管理"},
        "record_first_contact": lambda: {"method": "phone", "outcome": "已电话联系"},
        "request_extension": lambda: {"reason": "需协调", "extra_days": 2},
        "finish": lambda: {"result": "已清理"},
        "callback": lambda: {"satisfaction": "satisfied", "solved": True, "first_contacted": True},
        "handler_callback": lambda: {"satisfaction": "satisfied", "solved": True, "remarks": "已电话回访"},
        "reopen": lambda: {"reason": "不满意"},
        "close": lambda: {"reason": "已解释"},
        "merge": lambda: {"master": world.master.number},
        "suspend": lambda: {"plan": "挂账推进", "review_date": "2030-01-01"},
        "verify": lambda: {"note": "已到现场", "fixed": True},
    }


def api_body(world: World, op_id: str) -> dict[str, Any]:
    if op_id == "token_create":
        return {"username": world.street.intake.username, "password": PASSWORD}
    if op_id == "case_create":
        return {"source": "patrol", "title": "楼道堆物", "content": "楼道内堆放杂物"}
    if op_id == "case_unmask":
        return {"reason": "核实诉求人身份,准备上门"}
    if op_id == "suggest":
        return {"content": "楼道内堆放杂物", "address": "愚园路128弄"}
    if op_id == "registry_person_create":
        return {"name": "李四", "household_id": world.registry["household", True].pk}
    if op_id == "registry_person_update":
        return {"notes": "已走访"}
    if op_id == "registry_person_reveal":
        return {"purpose": "visit"}
    if op_id == "registry_case_link_decide":
        return {"person_id": world.registry["person", True].pk, "decision": "rejected"}
    # --- issue18 themes ---
    if op_id == "theme_edit":
        return {"action": "pin"}
    if op_id == "theme_run_create":
        return {"period_start": "2026-01-01", "period_end": "2026-01-31"}
    # --- end issue18 themes ---
    if op_id == "questionnaire_submit":  # --- issue18 qform ---
        return {"version_id": world.form_version.pk, "instance_id": "uuid:probe-0001", "data": {"size": 3}}
    # --- issue18 needs ---
    if op_id == "need_create":
        from minqing.models import NeedCategory

        return {"category_id": NeedCategory.objects.get(name="加装电梯").pk, "text": "楼道灯不亮",
                "household_id": world.registry["household", True].pk}
    if op_id == "need_open_case":
        return {"title": "加装电梯"}
    # --- end issue18 needs ---
    # --- issue18 visits ---
    if (body := visits_body(world, op_id)) is not None:
        return body
    # --- end issue18 visits ---
    if op_id == "reading_create":
        return {"point": world.point.code, "value": "1"}
    # --- issue18 projects ---
    if (body := projects_body(world, op_id)) is not None:
        return body
    # --- end issue18 projects ---
    bodies = action_bodies(world)
    action = op_id.removeprefix("case_")
    return bodies[action]() if action in bodies else {"note": "已到现场", "reason": "理由说明"}


# Valid query strings for GET operations that validate theirs before the role check.
API_QUERIES = {"table": "start=2026-01-01&end=2026-01-31", "ranking": "start=2026-01-01&end=2026-01-31"}


def page_body(world: World, name: str) -> dict[str, Any]:
    if name == "cases:attach":
        return {"file": png(), "note": "照片"}
    if name == "cases:unmask":
        return {"reason": "核实诉求人身份,准备上门"}
    return {}


def outcome(response, *, api_call: bool) -> str:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if api_call and status == 401:
        return "login"
    # login_required and the admin site send people to log in with ?next=; a logout's redirect has none.
    if not api_call and status == 302 and "login" in response.get("Location", "") and "next=" in response["Location"]:
        return "login"
    if status in (401, 403, 404):
        return str(status)
    return "allowed"


def matches(got: str, expected: str, access: Access) -> bool:
    if access.public:
        # Public means nobody is asked to log in or refused; an unknown token may still be 404.
        return got in ("allowed", "404")
    return got == expected


def probe(client: Client, method: str, path: str, *, json_body: dict | None = None,
          form: dict | None = None, multipart: bool = False):
    saved = copy.deepcopy(client.cookies)
    with transaction.atomic():
        denials_before = AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).count()
        if method == "GET":
            response = client.get(path)
        elif multipart:
            response = client.post(path, form or {})
        elif json_body is not None:
            response = client.generic(method, path, data=json.dumps(json_body),
                                      content_type="application/json")
        else:
            response = client.generic(method, path) if method != "POST" else client.post(path, form or {})
        response.denial_audited = AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).count() > denials_before
        transaction.set_rollback(True)
    client.cookies = saved  # logout and session rotation must not log the next probe out
    return response


def actors(world: World) -> list[tuple[str | None, Client, User | None]]:
    result: list[tuple[str | None, Client, User | None]] = [(None, Client(), None)]
    for role, user in world.users.items():
        client = Client()
        client.force_login(user)
        result.append((role, client, user))
    return result


def test_the_matrix_matches_the_policy(street, tmp_path, settings):
    settings.RATE_LIMIT_ENABLED = False  # hundreds of probes from one address: access control, not abuse, is checked
    settings.MEDIA_ROOT = tmp_path
    world = World(street, tmp_path)
    everyone = actors(world)
    failures: list[str] = []

    def check(label: str, access: Access, request: Callable[[Client, User | None, bool], Any], api_call: bool):
        for role, client, user in everyone:
            for in_scope in (True, False) if access.scope and role else (True,):
                expected = access.expected(role, in_scope=in_scope)
                response = request(client, user, in_scope)
                got = outcome(response, api_call=api_call)
                if not matches(got, expected, access):
                    where = "in scope" if in_scope else "out of scope"
                    failures.append(f"{label} as {role or 'anonymous'} ({where}): expected {expected}, got {got}"
                                    f" [{response.status_code}]")
                elif got == "403" and not response.denial_audited:
                    failures.append(f"{label} as {role}: refused without an audit entry")

    for name in sorted(set(url_names())):
        if name.startswith("api:") and name.split(":", 1)[1] in API_OPERATION_IDS:
            continue
        access = access_policy.page_access(name)
        if name.startswith("admin:") and name != "admin:index":
            continue  # the namespace rule is tried on the index page

        def page_request(client, user, in_scope, name=name, access=access):
            kwargs = {k: world.value(v, user, in_scope) for k, v in access.kwargs.items()}
            body = page_body(world, name)
            return probe(client, access.method, reverse(name, kwargs=kwargs), form=body,
                         multipart=any(hasattr(v, "read") for v in body.values()))

        check(name, access, page_request, api_call=False)

    for op_id, method, template in api_operations():
        access = API[op_id]

        def api_request(client, user, in_scope, op_id=op_id, method=method, template=template, access=access):
            path = template
            for key, symbol in access.kwargs.items():
                path = path.replace(f"{{{key}}}", str(world.value(symbol, user, in_scope)))
            if op_id == "attachment_upload":
                return probe(client, method, path, form={"file": png()}, multipart=True)
            body = api_body(world, op_id) if method in ("POST", "PUT", "PATCH") else None
            if op_id in API_QUERIES:
                path = f"{path}?{API_QUERIES[op_id]}"
            return probe(client, method, path, json_body=body)

        check(f"API {method} {template} ({op_id})", access, api_request, api_call=True)

    assert not failures, "\n".join(failures)
