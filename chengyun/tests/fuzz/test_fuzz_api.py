"""Schemathesis against /api/openapi.json: generated requests, valid and not, never get a server error.

Bounded: FUZZ_EXAMPLES examples per operation (default 8), so the whole API takes well under a minute. Requests run
in-process through the WSGI app, authenticated as the dispatcher (who may do most things), inside the test's
transaction; rate limits are off because the fuzzer is one very busy client.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from chengyun.wsgi import application
from org.services import api_token_create

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def dispatcher_token(street, settings):
    settings.RATE_LIMIT_ENABLED = False
    street.dispatched_case()
    _, key = api_token_create(user=street.dispatcher, name="fuzz")
    return key


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_api_operation_answers_with_a_server_error(case, dispatcher_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {dispatcher_token}"}, checks=[not_a_server_error])
