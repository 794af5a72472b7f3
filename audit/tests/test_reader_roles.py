"""The roles allowed to read the audit log are named in settings as plain strings; they must be real roles."""

from django.conf import settings

from org.models import Role


def test_the_audit_readers_are_the_auditor_role():
    assert set(settings.AUDIT_READER_ROLES) == {Role.AUDITOR}
