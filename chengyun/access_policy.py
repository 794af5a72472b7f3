"""The access policy: who may reach each page and API operation, declared once and checked by one matrix test.

Every URL name in the resolver and every operation of the ninja API must have an entry here;
`chengyun/tests/test_access_matrix.py` enumerates both and fails on any without one, then tries every entry with
every role (and anonymously) on an in-scope and an out-of-scope object and compares the outcome with the entry:

- `public`: no login needed; nobody is sent to log in or gets 401/403 (a 404 for an unknown token is fine).
- otherwise anonymous is sent to the login page for pages and gets 401 from the API;
- with a `scope`, an object outside the role's scope is 404 (checked first, so it does not reveal that it
  exists); `SCOPE_EXEMPT` lists the roles that see every object of a kind (street-wide roles see every case),
  `SCOPE_BLIND` the roles that see none;
- a role not in `roles` gets `denied` (403, or "login" where the admin site sends non-staff to its login page);
- a role in `roles` passes.
"Passes" means access control let the request through: any answer but 401/403/404 and 5xx (a 409 for a case in
the wrong state or a 422 for bad input is the business rule speaking, not access control).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cases.policy import PERSONAL_DATA_ROLES, STREET_WIDE_ROLES, UNMASK_ROLES
from cases.transitions import TRANSITIONS
from org import roles
from org.models import Role
from registry import policy as registry_policy

# The shared role groups (org/roles.py) as people hold them: the system account is not a login.
HUMAN_ROLES = roles.HUMAN_ROLES
ALL = HUMAN_ROLES
HOTLINE_ROLES = roles.HOTLINE_ROLES & HUMAN_ROLES
SENSOR_ROLES = roles.SENSOR_ROLES & HUMAN_ROLES
AUDIT_ROLES = roles.AUDIT_ROLES & HUMAN_ROLES
PIPL_ROLES = roles.PIPL_ROLES & HUMAN_ROLES
REPORT_ROLES = roles.REPORT_ROLES & HUMAN_ROLES
# The dashboard and the KPI API count cases; the 审计员 sees no cases.
KPI_ROLES = roles.KPI_ROLES & HUMAN_ROLES
OTP_ROLES = roles.OTP_ROLES & HUMAN_ROLES
REGISTRY_IMPORT_ROLES = registry_policy.IMPORT_ROLES & HUMAN_ROLES
REGISTRY_DECIDE_ROLES = registry_policy.IMPORT_ROLES & registry_policy.CLEAR_ROLES & HUMAN_ROLES

# Roles that see every object of a scope kind; other roles get 404 for an object outside their scope.
SCOPE_EXEMPT: dict[str, frozenset[str]] = {
    "case": frozenset(STREET_WIDE_ROLES),
    "token": frozenset({Role.ADMIN}),  # an admin may revoke anybody's API token
}
# Roles that see no object of a scope kind at all: the auditor reads the audit log, not cases.
SCOPE_BLIND: dict[str, frozenset[str]] = {
    "case": frozenset({Role.AUDITOR}),
    "token": frozenset(),
}


def _humans(roles) -> frozenset[str]:
    return frozenset(roles) & HUMAN_ROLES


@dataclass(frozen=True)
class Access:
    roles: frozenset[str] = field(default_factory=frozenset)
    public: bool = False
    scope: str | None = None  # "case" or "token": the object in the URL is checked against the role's scope
    denied: int | str = 403  # or "login": sent to a login page (the admin site does this to non-staff)
    method: str = "GET"
    kwargs: dict[str, str] = field(default_factory=dict)  # URL kwargs; "case", "attachment"… name probe objects

    def expected(self, role: str | None, *, in_scope: bool = True) -> str:
        """'allowed', 'login', or the status code as a string, for an actor of `role` (None: anonymous).

        The object is looked up before the role is checked, so an object the role cannot see is 404 whatever
        the role may do, and a role refused on an object it can see is 403."""
        if self.public:
            return "allowed"
        if role is None:
            return "login"
        if self.scope:
            visible = role in SCOPE_EXEMPT[self.scope] or (in_scope and role not in SCOPE_BLIND[self.scope])
            if not visible:
                return "404"
        return "allowed" if role in self.roles else str(self.denied)


def _transition(name: str, **kwargs: str) -> Access:
    """A case action: the transition table's roles, and only on a case in the actor's scope."""
    return Access(roles=_humans(TRANSITIONS[name].roles), scope="case", method="POST", kwargs=kwargs)


CASE = {"pk": "case"}

# Pages: the URL name as `reverse` knows it.
PAGES: dict[str, Access] = {
    "workbench": Access(roles=ALL),
    "workbench-register": Access(roles=_humans(TRANSITIONS["register"].roles), method="POST"),
    # The dispatch queue and the request queue are empty for other roles; the services refuse them as well.
    "workbench-bulk-dispatch": Access(roles=ALL, method="POST"),
    "workbench-decide": Access(roles=ALL, method="POST", kwargs={"pk": "request"}),
    "workbench-dispatch-one": Access(roles=ALL, method="POST", kwargs={"pk": "case"}),
    # 下一件 walks the dispatch queue: the dispatch desk's roles only.
    "workbench-next": Access(roles=frozenset({Role.DISPATCHER, Role.ADMIN})),
    "workbench-address": Access(roles=ALL),
    "workbench-patrol-report": Access(roles=_humans(TRANSITIONS["register"].roles), method="POST"),
    "login": Access(public=True),
    "logout": Access(public=True, method="POST"),
    # The second login step and the account's own settings.
    "otp-verify": Access(roles=ALL),
    "otp-setup": Access(roles=OTP_ROLES),
    "password_change": Access(roles=ALL),
    "password_change_done": Access(roles=ALL),
    "healthz": Access(public=True),  # the load balancer's probe: says only "ok"
    "cases:list": Access(roles=ALL),
    "cases:export": Access(roles=ALL),
    "cases:new": Access(roles=_humans(TRANSITIONS["register"].roles)),
    "cases:detail": Access(roles=ALL, scope="case", kwargs=CASE),
    "cases:act": _transition("urge", pk="case", action="urge"),
    "cases:attach": _transition("attach", pk="case"),
    # 批量签收 / 批量督办 from the list (cases/listing.py): the roles of either transition; each case is checked again.
    "cases:bulk": Access(roles=_humans(TRANSITIONS["sign"].roles | TRANSITIONS["urge"].roles), method="POST"),
    # Tap-to-call: an audited tel: redirect for whoever sees the phone unmasked (a handler: its department's cases).
    "cases:call": Access(roles=_humans(PERSONAL_DATA_ROLES), scope="case", kwargs=CASE),
    "cases:attachment": Access(roles=ALL, scope="case", kwargs={"pk": "case", "attachment_id": "attachment"}),
    "open311:discovery": Access(public=True, kwargs={"fmt": "json"}),
    "open311:services": Access(public=True, kwargs={"fmt": "json"}),
    "open311:service": Access(public=True, kwargs={"code": "service", "fmt": "json"}),
    "open311:requests": Access(public=True, kwargs={"fmt": "json"}),
    "open311:request": Access(public=True, kwargs={"request_id": "case_number", "fmt": "json"}),
    "open311:token": Access(public=True, kwargs={"token": "open311_token", "fmt": "json"}),
    "notifications:list": Access(roles=ALL),
    "notifications:badge": Access(roles=ALL),
    "notifications:read": Access(roles=ALL, method="POST"),
    # Opens one's own notice (someone else's is 404): the probe gives each user a notice of their own.
    "notifications:open": Access(roles=ALL, kwargs={"pk": "own_notice"}),
    "selfreport:report": Access(public=True),
    "selfreport:code": Access(public=True, method="POST"),
    "selfreport:status": Access(public=True),
    # The resident's phone page: no staff login; its own sign-in (phone + SMS code) in the session (residents/).
    "residents:me": Access(public=True),
    "residents:signin": Access(public=True),
    "residents:pick": Access(public=True),
    "residents:signout": Access(public=True, method="POST"),
    "hotline:import": Access(roles=HOTLINE_ROLES),
    "hotline:job": Access(roles=HOTLINE_ROLES, kwargs={"pk": "import_job"}),
    "hotline:start": Access(roles=HOTLINE_ROLES, method="POST", kwargs={"pk": "import_job"}),
    "hotline:errors": Access(roles=HOTLINE_ROLES, kwargs={"pk": "import_job"}),
    "hotline:export": Access(roles=HOTLINE_ROLES),
    # 社区底册 import: the import roles (a 居委干部 sees its own jobs and its 居民区's pairs, masked); only the import
    # roles that see personal data clear (派单员) decide a suspected duplicate.
    "registry_import:home": Access(roles=REGISTRY_IMPORT_ROLES),
    "registry_import:job": Access(roles=REGISTRY_IMPORT_ROLES, kwargs={"pk": "registry_import_job"}),
    "registry_import:start": Access(roles=REGISTRY_IMPORT_ROLES, method="POST", kwargs={"pk": "registry_import_job"}),
    "registry_import:errors": Access(roles=REGISTRY_IMPORT_ROLES, kwargs={"pk": "registry_import_job"}),
    "registry_import:candidates": Access(roles=REGISTRY_IMPORT_ROLES),
    "registry_import:decide": Access(roles=REGISTRY_DECIDE_ROLES, method="POST", kwargs={"pk": "link_candidate"}),
    "kpi:dashboard": Access(roles=KPI_ROLES),
    "kpi:export": Access(roles=KPI_ROLES),
    "kpi:cases": Access(roles=KPI_ROLES),  # the cases behind a 社区大脑 figure
    "reports:archive": Access(roles=REPORT_ROLES),
    "reports:row": Access(roles=REPORT_ROLES, kwargs={"pk": "report"}),
    "reports:retry": Access(roles=REPORT_ROLES, method="POST", kwargs={"pk": "report"}),
    "reports:download": Access(roles=REPORT_ROLES, kwargs={"pk": "report", "kind": "pdf"}),
    "privacy:unmask": Access(roles=_humans(UNMASK_ROLES), scope="case", method="POST", kwargs=CASE),
    "privacy:citizen": Access(roles=PIPL_ROLES),
    "privacy:export": Access(roles=PIPL_ROLES, method="POST"),
    "privacy:erase": Access(roles=PIPL_ROLES, method="POST"),
    "audit:log": Access(roles=AUDIT_ROLES),
    "audit:export": Access(roles=AUDIT_ROLES),
    # The API's own pages: the schema and its browser are public, the operations below are not.
    "api:openapi-json": Access(public=True),
    "api:openapi-view": Access(public=True),
    "api:api-root": Access(public=True),  # ninja's bare /api/ (an empty 404)
}

# Every URL in a namespace listed here follows one rule: the admin site lets only staff (管理员) in and sends
# everyone else to its own login page. The matrix tries the index page.
NAMESPACES: dict[str, Access] = {
    "admin": Access(roles=frozenset({Role.ADMIN}), denied="login"),
}

# API operations by operation id (ninja's default: the view function's name).
API: dict[str, Access] = {
    "token_create": Access(public=True, method="POST"),
    "token_list": Access(roles=ALL),
    "token_revoke": Access(roles=ALL, scope="token", method="DELETE", kwargs={"token_id": "token"}),
    "category_list": Access(roles=ALL),
    "department_list": Access(roles=ALL),
    "neighbourhood_list": Access(roles=ALL),
    "place_lookup": Access(roles=ALL),
    "case_list": Access(roles=ALL),
    "case_create": Access(roles=_humans(TRANSITIONS["register"].roles), method="POST"),
    "case_detail": Access(roles=ALL, scope="case", kwargs={"case_id": "case"}),
    "case_events": Access(roles=ALL, scope="case", kwargs={"case_id": "case"}),
    "case_unmask": Access(roles=_humans(UNMASK_ROLES), scope="case", method="POST", kwargs={"case_id": "case"}),
    "attachment_upload": _transition("attach", case_id="case"),
    "attachment_list": Access(roles=ALL, scope="case", kwargs={"case_id": "case"}),
    "attachment_download": Access(roles=ALL, scope="case", kwargs={"case_id": "case", "attachment_id": "attachment"}),
    "reading_create": Access(roles=SENSOR_ROLES, method="POST"),
    "notification_list": Access(roles=ALL),
    "notification_read": Access(roles=ALL, method="POST"),
    "definitions": Access(roles=KPI_ROLES),
    "table": Access(roles=KPI_ROLES),
    "ranking": Access(roles=KPI_ROLES),
}


def _add_case_actions() -> None:
    """One API operation per transition (cases.actions.ACTIONS): its roles are the transition table's."""
    from cases.actions import ACTIONS

    for action in ACTIONS:
        API[f"case_{action}"] = _transition(action, case_id="case")


_add_case_actions()


def _add_dispatch() -> None:
    """Smart dispatch: suggestions for those who register or dispatch; the model's version and scores for all."""
    from dispatch.api import SUGGESTION_ROLES

    roles = _humans(SUGGESTION_ROLES)
    PAGES["dispatch:suggest"] = Access(roles=roles)
    API["suggest"] = Access(roles=roles, method="POST")
    API["case_suggestion"] = Access(roles=roles, scope="case", kwargs={"case_id": "case"})
    API["classifier"] = Access(roles=ALL)


_add_dispatch()


def _add_registry() -> None:
    """社区底册 (registry/policy.py): readers, writers, the masked roles' 查看完整信息, and the 诉求人 link for the
    roles that see both sides clear. Persons, households and units are scoped by 居民区 (居委干部) and 网格 (网格员);
    the street-wide roles see all of them, 处置人 and 审计员 none."""
    from registry import policy as registry

    SCOPE_EXEMPT["registry"] = _humans(registry.STREET_WIDE_ROLES)
    SCOPE_BLIND["registry"] = HUMAN_ROLES - _humans(registry.READ_ROLES)
    read, write = _humans(registry.READ_ROLES), _humans(registry.WRITE_ROLES)
    reveal, clear = _humans(registry.REVEAL_ROLES), _humans(registry.CLEAR_ROLES)
    for kind in ("person", "household", "unit"):
        plural = {"person": "persons", "household": "households", "unit": "units"}[kind]
        obj = {"pk": kind}
        PAGES[f"registry:{plural}"] = Access(roles=read)
        PAGES[f"registry:{kind}-export"] = Access(roles=read)
        PAGES[f"registry:{kind}-new"] = Access(roles=write)
        PAGES[f"registry:{kind}"] = Access(roles=read, scope="registry", kwargs=obj)
        PAGES[f"registry:{kind}-reveal"] = Access(roles=reveal, scope="registry", method="POST", kwargs=obj)
        PAGES[f"registry:{kind}-edit"] = Access(roles=write, scope="registry", kwargs=obj)
    PAGES["registry:person-pick"] = Access(roles=read)  # the person picker of the forms
    PAGES["registry:person-capacity"] = Access(roles=write, scope="registry", method="POST",
                                               kwargs={"pk": "person"})
    PAGES["registry:person-move"] = Access(roles=write, scope="registry", method="POST", kwargs={"pk": "person"})
    PAGES["registry:household-member"] = Access(roles=write, scope="registry", method="POST",
                                                kwargs={"pk": "household"})
    PAGES["registry:unit-contact"] = Access(roles=write, scope="registry", method="POST", kwargs={"pk": "unit"})
    # The link panel as a page: a case of the actor's case scope; only the roles that decide links.
    PAGES["registry:case-link"] = Access(roles=clear, scope="case", kwargs={"case_pk": "case"})
    PAGES["registry:case-link-decide"] = Access(roles=clear, scope="case", method="POST", kwargs={"case_pk": "case"})
    API["registry_persons"] = Access(roles=read)
    API["registry_person"] = Access(roles=read, scope="registry", kwargs={"person_id": "person"})
    API["registry_person_reveal"] = Access(roles=reveal, scope="registry", method="POST",
                                           kwargs={"person_id": "person"})
    API["registry_person_create"] = Access(roles=write, method="POST")
    API["registry_person_update"] = Access(roles=write, scope="registry", method="PATCH",
                                           kwargs={"person_id": "person"})
    API["registry_households"] = Access(roles=read)
    API["registry_household"] = Access(roles=read, scope="registry", kwargs={"household_id": "household"})
    API["registry_units"] = Access(roles=read)
    API["registry_unit"] = Access(roles=read, scope="registry", kwargs={"unit_id": "unit"})
    API["registry_case_link_decide"] = Access(roles=clear, scope="case", method="POST", kwargs={"case_id": "case"})


_add_registry()


# --- issue18 qform ---
def _add_questionnaires() -> None:
    """问卷 (questionnaires/): readers of the registry see the list and the specs; the roles that visit (and the
    centre, for paper forms) fill and submit; only the admin uploads an XLSForm. A household's answers follow the
    registry's scope (404 outside it). The service worker is a static script, public."""
    from questionnaires.services import FORM_ADMIN_ROLES
    from questionnaires.submit import SUBMIT_ROLES

    read, submit = _humans(registry_policy.READ_ROLES), _humans(SUBMIT_ROLES)
    PAGES["questionnaires:list"] = Access(roles=read)
    PAGES["questionnaires:upload"] = Access(roles=_humans(FORM_ADMIN_ROLES))
    PAGES["questionnaires:sw"] = Access(public=True)
    PAGES["questionnaires:fill"] = Access(roles=submit, kwargs={"slug": "questionnaire"})
    PAGES["questionnaires:submit"] = Access(roles=submit, method="POST", kwargs={"slug": "questionnaire"})
    API["questionnaire_list"] = Access(roles=read)
    API["questionnaire_version"] = Access(roles=read, kwargs={"version_id": "form_version"})
    API["questionnaire_submit"] = Access(roles=submit, method="POST")
    API["household_submissions"] = Access(roles=read, scope="registry", kwargs={"household_id": "household"})


_add_questionnaires()
# --- end issue18 qform ---
# --- issue18 needs ---
def _add_needs() -> None:
    """民情需求 and the data lake (minqing/policy.py): needs are read by the registry's readers in their area (居委干部
    its 居民区, 网格员 its 网格, the street-wide roles all), written by NEED_ROLES; 转工单 by the writers who may also
    受理 (the service refuses the others); the data lake is the centre's (LAKE_ROLES)."""
    from minqing import policy as minqing

    SCOPE_EXEMPT["need"] = _humans(minqing.STREET_WIDE_ROLES)
    SCOPE_BLIND["need"] = HUMAN_ROLES - _humans(minqing.READ_ROLES)
    read, write, lake = _humans(minqing.READ_ROLES), _humans(minqing.NEED_ROLES), _humans(minqing.LAKE_ROLES)
    opener = write & _humans(TRANSITIONS["register"].roles)
    need = {"pk": "need"}
    PAGES["minqing_needs:list"] = Access(roles=read)
    PAGES["minqing_needs:export"] = Access(roles=read)
    PAGES["minqing_needs:new"] = Access(roles=write)
    PAGES["minqing_needs:household-pick"] = Access(roles=read)
    PAGES["minqing_needs:detail"] = Access(roles=read, scope="need", kwargs=need)
    PAGES["minqing_needs:resolve"] = Access(roles=write, scope="need", method="POST", kwargs=need)
    PAGES["minqing_needs:close"] = Access(roles=write, scope="need", method="POST", kwargs=need)
    PAGES["minqing_needs:open-case"] = Access(roles=opener, scope="need", method="POST", kwargs=need)
    PAGES["minqing_needs:lake"] = Access(roles=lake)
    PAGES["minqing_needs:lake-records"] = Access(roles=lake)
    PAGES["minqing_needs:lake-import"] = Access(roles=lake, kwargs={"pk": "lake_import"})
    PAGES["minqing_needs:lake-rejections"] = Access(roles=lake, kwargs={"pk": "lake_import"})
    PAGES["minqing_needs:lake-restart"] = Access(roles=lake, method="POST", kwargs={"pk": "lake_import"})
    API["needs_list"] = Access(roles=read)
    API["need_detail"] = Access(roles=read, scope="need", kwargs={"need_id": "need"})
    API["need_create"] = Access(roles=write, method="POST")
    API["need_open_case"] = Access(roles=opener, scope="need", method="POST", kwargs={"need_id": "need"})
    API["lake_records"] = Access(roles=lake)


_add_needs()
# --- end issue18 needs ---
# --- issue18 visits ---
def _add_visits() -> None:
    """民情走访 (minqing/policy.py): visits and plans are read by the registry's readers in their area (a plan belongs
    to a 居民区: a 网格员 sees its 网格's), visits are recorded by VISIT_ROLES, plans made and cancelled by PLAN_ROLES;
    coverage is read by the registry's readers, each in its own area."""
    from minqing import policy as minqing

    for kind in ("visit", "visit_plan"):
        SCOPE_EXEMPT[kind] = _humans(minqing.STREET_WIDE_ROLES)
        SCOPE_BLIND[kind] = HUMAN_ROLES - _humans(minqing.READ_ROLES)
    read, visit, plan = _humans(minqing.READ_ROLES), _humans(minqing.VISIT_ROLES), _humans(minqing.PLAN_ROLES)
    PAGES["minqing_visits:today"] = Access(roles=visit)
    PAGES["minqing_visits:list"] = Access(roles=read)
    PAGES["minqing_visits:new"] = Access(roles=visit)
    PAGES["minqing_visits:need-row"] = Access(roles=visit)
    PAGES["minqing_visits:detail"] = Access(roles=read, scope="visit", kwargs={"pk": "visit"})
    PAGES["minqing_visits:correct"] = Access(roles=visit, scope="visit", method="POST", kwargs={"pk": "visit"})
    PAGES["minqing_visits:plans"] = Access(roles=read)
    PAGES["minqing_visits:plan-new"] = Access(roles=plan)
    PAGES["minqing_visits:plan-detail"] = Access(roles=read, scope="visit_plan", kwargs={"pk": "visit_plan"})
    PAGES["minqing_visits:plan-cancel"] = Access(roles=plan, scope="visit_plan", method="POST",
                                                 kwargs={"pk": "visit_plan"})
    PAGES["minqing_visits:coverage"] = Access(roles=read)
    API["visits_list"] = Access(roles=read)
    API["visit_create"] = Access(roles=visit, method="POST")
    API["visit_plans_list"] = Access(roles=read)
    API["visit_coverage"] = Access(roles=read)


_add_visits()
# --- end issue18 visits ---


def page_access(url_name: str) -> Access | None:
    if url_name in PAGES:
        return PAGES[url_name]
    namespace = url_name.split(":", 1)[0] if ":" in url_name else None
    return NAMESPACES.get(namespace) if namespace else None


# --- issue18 projects ---
def _add_projects() -> None:
    """十大民生 (minsheng/selectors/projects.py, minqing/policy.py): projects are the street's, read by every role that
    reads the street (linked needs scoped and masked inside the page), steered by PROJECT_ROLES; the 回访 queue is the
    callback desk's and the centre's; the public page needs no login. Questionnaire results follow 民情日志's reader
    rule (questionnaires/results_policy.py): versions are not scoped, their submissions are."""
    from minqing import policy as minqing_policy
    from minsheng.services.echo import CALLBACK_ROLES

    read, edit = _humans(minqing_policy.READ_ROLES), _humans(minqing_policy.PROJECT_ROLES)
    callback = _humans(CALLBACK_ROLES)
    project = {"pk": "project"}
    PAGES["minsheng_projects:list"] = Access(roles=read)
    PAGES["minsheng_projects:new"] = Access(roles=edit)
    PAGES["minsheng_projects:detail"] = Access(roles=read, kwargs=project)
    PAGES["minsheng_projects:edit"] = Access(roles=edit, kwargs=project)
    PAGES["minsheng_projects:status"] = Access(roles=edit, method="POST", kwargs=project)
    PAGES["minsheng_projects:milestone-add"] = Access(roles=edit, method="POST", kwargs=project)
    PAGES["minsheng_projects:milestone-complete"] = Access(roles=edit, method="POST",
                                                           kwargs={"pk": "project", "milestone_pk": "milestone"})
    PAGES["minsheng_projects:echo"] = Access(roles=edit, method="POST", kwargs=project)
    PAGES["minsheng_projects:links"] = Access(roles=edit, method="POST", kwargs=project)
    PAGES["minsheng_projects:callbacks"] = Access(roles=callback)
    PAGES["minsheng_projects:callback"] = Access(roles=callback, method="POST", kwargs={"pk": "echo"})
    PAGES["minsheng_projects:report"] = Access(roles=edit)
    PAGES["minsheng_projects:report-download"] = Access(roles=edit, kwargs={"kind": "docx"})
    PAGES["minsheng_public:index"] = Access(public=True)
    PAGES["minsheng_public:year"] = Access(public=True, kwargs={"year": "project_year"})
    PAGES["questionnaire_results:index"] = Access(roles=read)
    PAGES["questionnaire_results:version"] = Access(roles=read, kwargs={"pk": "form_version"})
    PAGES["questionnaire_results:export"] = Access(roles=read, kwargs={"pk": "form_version"})
    API["minsheng_project_list"] = Access(roles=read)
    API["minsheng_project_detail"] = Access(roles=read, kwargs={"project_id": "project"})
    API["minsheng_project_create"] = Access(roles=edit, method="POST")
    API["minsheng_project_update"] = Access(roles=edit, method="PATCH", kwargs={"project_id": "project"})
    API["minsheng_project_status"] = Access(roles=edit, method="POST", kwargs={"project_id": "project"})
    API["minsheng_milestone_add"] = Access(roles=edit, method="POST", kwargs={"project_id": "project"})
    API["minsheng_milestone_complete"] = Access(roles=edit, method="POST",
                                                kwargs={"project_id": "project", "milestone_id": "milestone"})
    API["minsheng_echo_send"] = Access(roles=edit, method="POST", kwargs={"project_id": "project"})
    API["minsheng_callback_list"] = Access(roles=callback)
    API["minsheng_callback_record"] = Access(roles=callback, method="POST", kwargs={"echo_id": "echo"})
    API["questionnaire_result_summary"] = Access(roles=read, kwargs={"version_id": "form_version"})


_add_projects()
# --- end issue18 projects ---
# --- issue18 themes ---
def _add_themes() -> None:
    """民生主题 (minsheng/selectors/themes.py): street-wide, read and edited by minqing.policy.THEME_ROLES (领导, 管理员,
    派单员); every other role, the 居委干部 included, gets 403 — a theme's counts are the street's, not a 居民区's."""
    from minqing.policy import THEME_ROLES

    roles = _humans(THEME_ROLES)
    theme, run = {"pk": "theme"}, {"pk": "theme_run"}
    PAGES["minsheng_themes:list"] = Access(roles=roles)
    PAGES["minsheng_themes:detail"] = Access(roles=roles, kwargs=theme)
    PAGES["minsheng_themes:act"] = Access(roles=roles, method="POST", kwargs=theme)
    PAGES["minsheng_themes:runs"] = Access(roles=roles)
    PAGES["minsheng_themes:run"] = Access(roles=roles, kwargs=run)
    API["themes_list"] = Access(roles=roles)
    API["theme_detail"] = Access(roles=roles, kwargs={"theme_id": "theme"})
    API["theme_edit"] = Access(roles=roles, method="POST", kwargs={"theme_id": "theme"})
    API["theme_run_create"] = Access(roles=roles, method="POST")
    API["theme_run_status"] = Access(roles=roles, kwargs={"run_id": "theme_run"})


_add_themes()
# --- end issue18 themes ---
