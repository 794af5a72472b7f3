"""Reading the registry's pages in tests."""

import re


def shows_person(html: str, person) -> bool:
    """The person's number P… as a word: a CSRF token or another number may hold the same letters."""
    return re.search(rf"(?<![0-9A-Za-z])P{person.pk}(?![0-9A-Za-z])", html) is not None
