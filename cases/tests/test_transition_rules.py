"""The table's guards, required texts and bounds are the one source: services, buttons, forms and the API read them."""

from __future__ import annotations

import pytest

from cases import services
from cases.forms import action_fields
from cases.models import Case, CaseEvent, State
from cases.schemas import ExtensionIn
from cases.selectors import case_available_actions
from cases.transitions import EXTENSION_DAYS, TRANSITIONS, require_fields
from core.errors import Conflict, ValidationFailed
from org.services import system_user

from .helpers import case_in_state

pytestmark = pytest.mark.django_db


def test_the_extension_bound_is_the_tables_for_service_form_and_api(street):
    case = case_in_state(street, State.HANDLING)
    with pytest.raises(ValidationFailed) as refused:
        services.case_request_extension(actor=street.handler, case=case, reason="需协调", extra_days=EXTENSION_DAYS.high + 1)
    assert refused.value.message == EXTENSION_DAYS.message
    spec = next(f for f in action_fields("request_extension", ExtensionIn) if f.name == "extra_days")
    assert spec.bounds == (EXTENSION_DAYS.low, EXTENSION_DAYS.high)
    schema = ExtensionIn.model_json_schema()["properties"]["extra_days"]
    assert (schema["minimum"], schema["maximum"]) == (EXTENSION_DAYS.low, EXTENSION_DAYS.high)


def test_form_marks_exactly_the_tables_unconditional_texts_required():
    from cases.actions import ACTIONS

    for action, entry in ACTIONS.items():
        marked = {f.name for f in action_fields(action, entry.schema) if f.required}
        assert TRANSITIONS[action].always_required() <= marked, action


def test_a_required_text_is_refused_with_its_label_and_conditional_ones_only_when_they_apply():
    with pytest.raises(ValidationFailed, match="请填写诉求未能满足的原因"):
        require_fields("finish", result="已处理", demand_met=False, explanation="  ")
    assert require_fields("finish", result=" 已处理 ", demand_met=True, explanation="")["result"] == "已处理"


def test_buttons_follow_the_guards(street):
    case = case_in_state(street, State.HANDLING)
    offered = {t.action for t in case_available_actions(street.dispatcher, case)}
    assert "approve_extension" not in offered  # nothing pending: the guard refuses, so no button
    services.case_request_extension(actor=street.handler, case=case, reason="需协调施工", extra_days=2)
    offered = {t.action for t in case_available_actions(street.dispatcher, case)}
    assert {"approve_extension", "reject_extension"} <= offered
    handler_offered = {t.action for t in case_available_actions(street.handler, case)}
    assert "request_extension" not in handler_offered
    with pytest.raises(Conflict) as refused:
        services.case_request_extension(actor=street.handler, case=case, reason="再申请", extra_days=2)
    assert refused.value.code == "request_pending"


def test_anonymising_goes_through_the_write_path_once(street):
    case = case_in_state(street, State.CLOSED)
    version = Case.objects.get(pk=case.pk).version
    services.case_anonymise(actor=system_user(), case=case, scrub=lambda c: {"citizen_name": "", "citizen_phone": ""},
                            note="保存期满", basis="retention")
    stored = Case.objects.get(pk=case.pk)
    assert (stored.citizen_name, stored.citizen_phone, stored.version) == ("", "", version + 1)
    assert CaseEvent.objects.filter(case=case, action="anonymise").count() == 1
    with pytest.raises(Conflict) as refused:
        services.case_anonymise(actor=system_user(), case=case, scrub=lambda c: {}, note="再次", basis="retention")
    assert refused.value.code == "already_anonymised"


def test_an_open_case_cannot_be_anonymised(street):
    from core.errors import TransitionNotAllowed

    case = case_in_state(street, State.HANDLING)
    with pytest.raises(TransitionNotAllowed):
        services.case_anonymise(actor=system_user(), case=case, scrub=lambda c: {"citizen_name": ""}, note="x",
                                basis="request")
    assert Case.objects.get(pk=case.pk).citizen_name == case.citizen_name
