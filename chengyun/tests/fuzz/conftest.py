import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Schemathesis calls the bare WSGI app, which closes "old" connections around each request; on PostgreSQL that
    would close the test's own transaction. Django's test client disconnects the same handlers for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
