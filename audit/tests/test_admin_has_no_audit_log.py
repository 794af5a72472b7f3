"""三员分立: the 管理员 must not read the audit log, not at /audit/ and not through Django admin either."""

import pytest

from audit.models import AuditEntry
from audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_the_admin_site_has_no_audit_log_page(client, street):
    entry = audit_record(action=AuditEntry.Action.LOGIN_FAILED, username="张建国13812341234")
    client.force_login(street.admin)  # a superuser and staff
    for url in ("/admin/audit/auditentry/", f"/admin/audit/auditentry/{entry.pk}/change/", "/admin/audit/"):
        assert client.get(url).status_code == 404, url
    index = client.get("/admin/").content.decode()
    assert "auditentry" not in index and "审计日志" not in index
    assert client.get("/audit/").status_code == 403
