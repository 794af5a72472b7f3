import pytest

from selfreport.tests import outbox


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "selfreport.tests.outbox.OutboxSms"
    outbox.MESSAGES.clear()
    return outbox
