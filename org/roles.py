"""Named groups of roles that more than one app checks: declared once here, next to Role, and imported.

A group is who may reach one kind of work. The app that does the work checks it (service, view or API); the access
policy (chengyun/access_policy.py) and the navigation (workbench/navigation.py) read the same set, so the three
cannot drift apart. A group used by one app alone stays in that app. Groups that decide which cases a role sees
(street-wide, personal data, unmasking) belong to the case scope and live in cases/policy.py.
"""

from __future__ import annotations

from .models import Role

# People's roles; the system account only acts through services and the sensor API and is not a login.
HUMAN_ROLES = frozenset(r for r in Role.values if r != Role.SYSTEM)

# 12345 hotline imports and exports.
HOTLINE_ROLES = frozenset({Role.INTAKE, Role.DISPATCHER, Role.ADMIN})
# Sensor readings over HTTP: the device account, and the centre for manual entry.
SENSOR_ROLES = frozenset({Role.SYSTEM, Role.ADMIN, Role.DISPATCHER})
# The monthly 情况分析 is street-wide: the centre and the leaders (and the scheduler's system account).
REPORT_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.LEADER, Role.SYSTEM})
# 三员分立 (MLPS 2.0): the administrator configures, the auditor reads the trail of everyone, the administrator's too.
AUDIT_ROLES = frozenset({Role.AUDITOR})  # = settings.AUDIT_READER_ROLES, which audit reads (audit sits below org)
# A citizen's PIPL requests (export, erase) are handled by the administrator.
PIPL_ROLES = frozenset({Role.ADMIN})
# The 审计员 reads the audit log and sees no cases (三员分立): no dashboard, no KPI tables either.
KPI_ROLES = frozenset(Role.values) - {Role.AUDITOR}
# Two-step login (org/otp.py) is offered to administrators and leaders.
OTP_ROLES = frozenset({Role.ADMIN, Role.LEADER})
