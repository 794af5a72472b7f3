"""A test SMS backend that keeps messages in memory, so tests can read the code like a resident would."""

import re

MESSAGES: list[tuple[str, str]] = []


class OutboxSms:
    def send(self, phone: str, text: str) -> None:
        MESSAGES.append((phone, text))


def last_code(phone: str) -> str:
    text = next(t for p, t in reversed(MESSAGES) if p == phone)
    return re.search(r"\d{6}", text).group()


def wait_for_code(phone: str, *, sent_before: int, timeout: float = 15.0) -> str:
    """The code of a message to `phone` sent after the outbox held `sent_before` messages: the page may still show
    the previous send's status while the new request is on its way."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p == phone for p, _ in MESSAGES[sent_before:]):
            return last_code(phone)
        time.sleep(0.05)
    raise AssertionError(f"no code was sent to {phone}")
