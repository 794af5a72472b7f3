"""Fixtures for the case-engine tests (the `street` fixture lives in the project's conftest.py)."""

import pytest

from cases import services
from core import clock

from .helpers import at


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Attachments written by a test land in its own temporary directory, never in var/media."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def signed(street):
    """Dispatched Mon 2 Nov 2026 09:00 (first contact due Tue 3 Nov 09:00), signed at 09:30."""
    with clock.frozen_at(at(2026, 11, 2, 9, 0)):
        case = street.dispatched_case()
    with clock.frozen_at(at(2026, 11, 2, 9, 30)):
        return services.case_sign(actor=street.handler, case=case)
