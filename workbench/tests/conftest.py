"""Fixtures for the composition layer's tests (the `street` fixture lives in the project's conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Attachments written by a test land in its own temporary directory, never in var/media."""
    settings.MEDIA_ROOT = tmp_path
