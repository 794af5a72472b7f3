"""Writes of questionnaires: loading (or versioning) a form from its XLSForm. Submissions: questionnaires/submit.py."""

from __future__ import annotations

from django.db import transaction

from audit.models import AuditEntry
from audit.services import audit_record
from core import clock
from core.errors import PermissionDenied, ValidationFailed
from org.models import Role, User

from .models import FormVersion, Questionnaire
from .xlsform import read_xlsform

# Who may upload a questionnaire's XLSForm (and so change what every cadre fills in).
FORM_ADMIN_ROLES = frozenset({Role.ADMIN, Role.SYSTEM})


def questionnaire_load(*, actor: User, content: bytes, filename: str, title: str = "") -> tuple[FormVersion, bool]:
    """Load an XLSForm: a new questionnaire (by settings.form_id), or its next version. The same file again adds no
    version (returns the latest, created=False). Old versions and their answers are never touched."""
    if actor.role not in FORM_ADMIN_ROLES:
        raise PermissionDenied("只有管理员可以上传问卷")
    loaded = read_xlsform(content, filename=filename, title=title)
    if not loaded.form_id:
        raise ValidationFailed("XLSForm 无法使用:settings 表缺少 form_id", details={"sheet": "settings"})
    now = clock.now()
    with transaction.atomic():
        questionnaire = Questionnaire.objects.select_for_update().filter(slug=loaded.form_id[:60]).first()
        if questionnaire is None:
            questionnaire = Questionnaire.objects.create(slug=loaded.form_id[:60], title=loaded.title[:100],
                                                         created_at=now, created_by=actor)
        latest = questionnaire.versions.order_by("-number").first()
        if latest is not None and latest.sha256 == loaded.sha256 and not title:
            return latest, False
        if title and questionnaire.title != title[:100]:
            questionnaire.title = title[:100]
            questionnaire.save(update_fields=["title"])
        version = FormVersion.objects.create(
            questionnaire=questionnaire, number=(latest.number + 1) if latest else 1,
            version_label=loaded.version_label[:40], title=loaded.title[:100], spec=loaded.spec, xform=loaded.xform,
            source_name=filename[:200], source=content, sha256=loaded.sha256, question_count=loaded.question_count,
            loaded_at=now, loaded_by=actor,
        )
        audit_record(action=AuditEntry.Action.CONFIG_CHANGE, actor=actor, object_type="questionnaire",
                     object_id=questionnaire.pk, detail={"what": "上传问卷版本", "version": version.number,
                                                         "file": filename[:200], "questions": loaded.question_count})
    return version, True
