"""The per-address SMS code budget counts the resident's address, not the reverse proxy's (TRUSTED_PROXY_COUNT)."""

import pytest
from django.test import Client

from selfreport.models import PhoneCode
from selfreport.services import MAX_CODES_PER_HOUR

pytestmark = pytest.mark.django_db
PER_ADDRESS = MAX_CODES_PER_HOUR * 4


def ask(proxy: Client, n: int, forwarded: str):
    return proxy.post("/report/code/", {"phone": f"139{n:08d}"}, HTTP_X_FORWARDED_FOR=forwarded)


def test_two_residents_behind_one_proxy_have_their_own_budgets(street, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATE_LIMIT_ENABLED = False
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(PER_ADDRESS):
        assert ask(proxy, n, "198.51.100.1").status_code == 200
    over = ask(proxy, 100, "198.51.100.1")
    assert over.status_code == 429 and "过于频繁" in over.content.decode()
    # A spoofed entry written further left by the same resident does not give a fresh budget.
    assert ask(proxy, 101, "203.0.113.99, 198.51.100.1").status_code == 429
    assert ask(proxy, 102, "198.51.100.2").status_code == 200  # the neighbour behind the same proxy
    assert set(PhoneCode.objects.values_list("ip", flat=True)) == {"198.51.100.1", "198.51.100.2"}


def test_without_a_trusted_proxy_the_header_is_ignored(street, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.RATE_LIMIT_ENABLED = False
    client = Client(REMOTE_ADDR="203.0.113.5")
    for n in range(PER_ADDRESS):
        assert ask(client, n, f"198.51.100.{n + 1}").status_code == 200
    assert ask(client, 100, "198.51.100.200").status_code == 429
    assert set(PhoneCode.objects.values_list("ip", flat=True)) == {"203.0.113.5"}
