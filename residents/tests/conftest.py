import pytest

from registry.tests.conftest import household, other_household, resident, valid_id  # noqa: F401
from selfreport.tests import outbox


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "selfreport.tests.outbox.OutboxSms"
    settings.RATE_LIMIT_ENABLED = False
    outbox.MESSAGES.clear()
    return outbox
