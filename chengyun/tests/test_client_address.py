"""One function tells the client's address (core.http.client_ip); the audit log uses it too."""

import pytest
from django.test import Client

from audit.models import AuditEntry
from org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client: Client, forwarded: str):
    return client.post("/login/", {"username": "t_intake", "password": PASSWORD}, HTTP_X_FORWARDED_FOR=forwarded)


def test_behind_one_proxy_the_audit_entry_has_the_clients_address(street, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    assert login(proxy, "203.0.113.99, 198.51.100.7").status_code == 302  # the left entry is the client's own claim
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN, username="t_intake")
    assert entry.ip == "198.51.100.7"
    proxy.post("/login/", {"username": "t_intake", "password": "wrong"}, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED).ip == "198.51.100.8"


def test_without_a_trusted_proxy_the_header_is_ignored(street, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert login(Client(REMOTE_ADDR="203.0.113.5"), "198.51.100.7").status_code == 302
    assert AuditEntry.objects.get(action=AuditEntry.Action.LOGIN, username="t_intake").ip == "203.0.113.5"
