"""A test SMS backend that keeps messages in memory, so tests can read the code like a resident would."""

import re

MESSAGES: list[tuple[str, str]] = []


class OutboxSms:
    def send(self, phone: str, text: str) -> None:
        MESSAGES.append((phone, text))


def last_code(phone: str) -> str:
    text = next(t for p, t in reversed(MESSAGES) if p == phone)
    return re.search(r"\d{6}", text).group()
