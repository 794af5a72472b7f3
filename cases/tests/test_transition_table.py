"""Every action × every state × every role, driven from the transition table itself.

Allowed (role in roles, state in sources) succeeds; a role outside the row is refused with 403 and a state outside
it with 409, and a refused call changes nothing: not the state, not the version, not the event count.
"""

import inspect
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import policy, services
from cases.models import Case, State
from cases.transitions import TRANSITIONS
from chengyun import clock
from chengyun.errors import PermissionDenied, TransitionNotAllowed
from org.models import Role
from org.services import system_user

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def build(street, state: str) -> Case:
    if state == State.REGISTERED:
        return street.new_case()
    if state == State.DISPATCHED:
        return street.dispatched_case()
    if state == State.RETURN_REQUESTED:
        case = street.dispatched_case()
        services.case_request_return(actor=street.handler, case=case, reason="不属于本单位")
        return case
    if state == State.SIGNED:
        return street.signed_case()
    if state == State.HANDLING:
        return street.handling_case()
    if state == State.SUSPENDED:
        case = street.handling_case()
        return services.case_suspend(actor=street.dispatcher, case=case, plan="历史遗留,挂账推进",
                                     review_date=(clock.now() + timedelta(days=30)).date())
    if state == State.HANDLED:
        return street.handled_case()
    if state == State.CALLED_BACK:
        return street.called_back_case("unsatisfied")
    if state == State.CLOSED:
        return services.case_close(actor=street.callback, case=street.called_back_case(), reason="")
    if state == State.MERGED:
        master = street.new_case()
        return services.case_merge(actor=street.dispatcher, case=street.new_case(), master=master)
    raise AssertionError(state)


def prepare(street, action: str, case: Case) -> None:
    """Make the action's own precondition true where the state allows it, so only the table decides."""
    if action in ("approve_extension", "reject_extension") and case.state in (State.SIGNED, State.HANDLING):
        services.case_request_extension(actor=street.handler, case=case, reason="需协调施工", extra_days=2)
    if action == "respond_urge" and case.state in TRANSITIONS["urge"].sources:
        services.case_urge(actor=street.leader, case=case, note="请加快")


def perform(street, action: str, actor, case: Case):
    call = {
        "dispatch": lambda: services.case_dispatch(actor=actor, case=case, lead_department=street.department),
        "sign": lambda: services.case_sign(actor=actor, case=case),
        "request_return": lambda: services.case_request_return(actor=actor, case=case, reason="不属于本单位"),
        "approve_return": lambda: services.case_approve_return(actor=actor, case=case, reason="同意"),
        "reject_return": lambda: services.case_reject_return(actor=actor, case=case, reason="属地管理"),
        "record_first_contact": lambda: services.case_record_first_contact(actor=actor, case=case, method="phone",
                                                                           outcome="已联系"),
        "add_progress": lambda: services.case_add_progress(actor=actor, case=case, note="现场处置中"),
        "co_report": lambda: services.case_co_report(actor=actor, case=case, report="已配合"),
        "request_extension": lambda: services.case_request_extension(actor=actor, case=case, reason="需协调",
                                                                     extra_days=2),
        "approve_extension": lambda: services.case_approve_extension(actor=actor, case=case, reason="同意"),
        "reject_extension": lambda: services.case_reject_extension(actor=actor, case=case, reason="不同意"),
        "finish": lambda: services.case_finish(actor=actor, case=case, result="已处理"),
        "callback": lambda: services.case_callback(actor=actor, case=case, satisfaction="satisfied", solved=True,
                                                   first_contacted=True),
        "reopen": lambda: services.case_reopen(actor=actor, case=case, reason="回访不满意"),
        "close": lambda: services.case_close(actor=actor, case=case, reason="已解释"),
        "urge": lambda: services.case_urge(actor=actor, case=case, note="请加快"),
        "respond_urge": lambda: services.case_respond_urge(actor=actor, case=case, note="已加派人员"),
        "chase": lambda: services.case_chase(actor=actor, case=case, note="再次来电"),
        "merge": lambda: services.case_merge(actor=actor, case=case, master=street.new_case()),
        "suspend": lambda: services.case_suspend(actor=actor, case=case, plan="挂账",
                                                 review_date=(clock.now() + timedelta(days=30)).date()),
        "resume": lambda: services.case_resume(actor=actor, case=case, note="恢复处置"),
        "attach": lambda: services.case_attach(actor=actor, case=case, upload=SimpleUploadedFile("a.png", PNG)),
        "sensor_alarm": lambda: services.case_record_sensor(actor=actor, case=case, alarm=True, note="再次报警",
                                                            payload={}),
        "sensor_normal": lambda: services.case_record_sensor(actor=actor, case=case, alarm=False, note="恢复",
                                                             payload={}),
        "mark_overdue": lambda: services.case_mark_overdue(actor=actor, case=case),
        "verify": lambda: services.case_verify(actor=actor, case=case, fixed=True, note="现场已清理"),
    }[action]
    return call()


def actors(street) -> dict[str, object]:
    return {Role.ADMIN: street.admin, Role.INTAKE: street.intake, Role.DISPATCHER: street.dispatcher,
            Role.HANDLER: street.handler, Role.CALLBACK: street.callback, Role.LEADER: street.leader,
            Role.GRID: street.grid_user, Role.CADRE: street.cadre, Role.SYSTEM: system_user()}


def test_every_action_of_the_table_has_a_call_here(street):
    # A new row in the table without a call in perform() fails here instead of being silently untested.
    source = inspect.getsource(perform)
    assert [a for a in TRANSITIONS if a != "register" and f'"{a}"' not in source] == []


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("state", State.values)
@pytest.mark.parametrize("action", [a for a in TRANSITIONS if a != "register"])
def test_action_in_state_by_every_role(street, action, state):
    transition = TRANSITIONS[action]
    refused_case = build(street, state)
    for role, actor in actors(street).items():
        allowed = role in transition.roles and state in transition.sources
        if allowed and not policy.scope_allows(actor, refused_case, transition):
            # e.g. a handler and a case not (yet) dispatched to its department: scope refuses, nothing changes.
            before = (refused_case.state, refused_case.version)
            with pytest.raises(PermissionDenied):
                perform(street, action, actor, refused_case)
            refused_case.refresh_from_db()
            assert (refused_case.state, refused_case.version) == before
            continue
        if allowed:
            case = build(street, state)
            prepare(street, action, case)
            perform(street, action, actor, case)
            case.refresh_from_db()
            assert case.state == transition.target(state), (action, state, role)
            assert case.events.order_by("-at", "-id").first().action == action
            continue
        before = (refused_case.state, refused_case.version, refused_case.events.count())
        expected = PermissionDenied if role not in transition.roles else TransitionNotAllowed
        with pytest.raises(expected):
            perform(street, action, actor, refused_case)
        refused_case.refresh_from_db()
        assert (refused_case.state, refused_case.version, refused_case.events.count()) == before, (action, state, role)


@pytest.mark.parametrize("role", Role.values)
def test_register_is_open_to_its_roles_only(street, role):
    actor = actors(street)[role]
    if role in TRANSITIONS["register"].roles:
        case = street.new_case(actor=actor)
        assert case.state == State.REGISTERED and case.events.get().actor == actor
    else:
        with pytest.raises(PermissionDenied):
            street.new_case(actor=actor)
        assert not Case.objects.exists()
