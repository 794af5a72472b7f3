"""Organisation changes refresh smart dispatch's in-memory snapshot (places, rules, categories). Case progress is
heard through the one case event contract instead (dispatch/listeners.py)."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from org.models import AddressRange, Category, Department, Estate, Grid, Neighbourhood, ResponsibilityRule


def _forget(sender, **kwargs) -> None:
    from .snapshot import reset_caches

    reset_caches(keep_classifier=True)


from .models import Landmark  # noqa: E402

for _model in (AddressRange, Category, Department, Estate, Grid, Neighbourhood, ResponsibilityRule, Landmark):
    post_save.connect(_forget, sender=_model, dispatch_uid=f"dispatch.forget.{_model.__name__}")
    post_delete.connect(_forget, sender=_model, dispatch_uid=f"dispatch.forget.del.{_model.__name__}")
m2m_changed.connect(_forget, sender=ResponsibilityRule.co_departments.through, dispatch_uid="dispatch.forget.co")
