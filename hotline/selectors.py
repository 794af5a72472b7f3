"""Reads of the hotline exchange, scoped by the acting user: the import jobs and the profiles they may use."""

from __future__ import annotations

from django.db.models import QuerySet

from core.pages import get_in_scope_or_404
from org.models import User
from org.roles import HOTLINE_ROLES

from .models import ImportJob, ImportProfile

# The roles that import 12345 exports and send the replies back; every job is theirs to see (the desk is shared).
JOB_NOT_FOUND = "导入任务不存在"


def import_jobs(user: User) -> QuerySet[ImportJob]:
    """Every import job for the hotline roles, none for anyone else."""
    if user.role not in HOTLINE_ROLES:
        return ImportJob.objects.none()
    return ImportJob.objects.select_related("created_by")


def import_job_get(user: User, pk: int) -> ImportJob:
    """The job, or NotFound (a 404 page) when it does not exist or the user may not see it."""
    return get_in_scope_or_404(import_jobs(user).select_related("profile"), JOB_NOT_FOUND, pk=pk)


def import_profiles(user: User) -> QuerySet[ImportProfile]:
    if user.role not in HOTLINE_ROLES:
        return ImportProfile.objects.none()
    return ImportProfile.objects.order_by("-is_default", "name")
