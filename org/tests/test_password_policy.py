"""The password policy: at least 10 characters of at least three kinds, not common, not like the username."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from org.models import User


@pytest.mark.parametrize("password", ["chengyunpassword", "chengyun2026", "short1A!", "1234567890123", "zhangsan-2026A"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password, User(username="zhangsan-2026A"))


def test_two_kinds_of_characters_are_not_enough_and_the_reason_is_in_chinese():
    with pytest.raises(ValidationError) as error:
        validate_password("chengyun-street", User(username="zhangsan"))
    assert any("至少 3 类" in message for message in error.value.messages)


@pytest.mark.parametrize("password", ["Chengyun-2026", "jingan#Street9", "城运中心Ops2026"])
def test_strong_passwords_pass(password):
    validate_password(password, User(username="zhangsan"))
