import pytest

from workdays.calendar import clear_cache


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Every test starts and ends with empty override/library caches and warn-once bookkeeping."""
    clear_cache()
    yield
    clear_cache()
