"""The audit log has no Django admin page (三员分立): the 管理员 configures and must not read the trail of everyone,
their own included; the 审计员 reads it at /audit/. audit/tests/test_admin_has_no_audit_log.py holds this."""
