"""Questionnaire results API: one form version's per-question summary at /api/questionnaires/versions/{id}/summary,
counted over the submissions the reader's scope holds (questionnaires/results_policy.py)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from core.errors import NotFound, PermissionDenied

from .models import FormVersion
from .results_policy import reader_policy
from .summary import version_summary

router = Router(tags=["问卷结果"])


@router.get("/versions/{version_id}/summary", summary="问卷版本的逐题统计(按职责范围)")
def questionnaire_result_summary(request: HttpRequest, version_id: int):
    version = FormVersion.objects.select_related("questionnaire").filter(pk=version_id).first()
    if version is None:
        raise NotFound("问卷版本不存在")
    if request.user.role not in reader_policy().READ_ROLES:
        raise PermissionDenied("您的角色不能查看问卷结果")
    result = version_summary(request.user, version)
    return {"version": version.pk, "questionnaire": version.questionnaire.title, "number": version.number,
            "submissions": result.submissions,
            "questions": [{"name": q.name, "label": q.label, "type": q.type, "repeat": q.repeat,
                           "answered": q.answered, "total": q.total, "rows": q.rows, "stats": q.stats}
                          for q in result.questions]}
