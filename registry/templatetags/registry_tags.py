"""Template filters of the registry pages: what the reader may do, asked of registry.policy (templates hold no role
names)."""

from django import template

from registry import policy

register = template.Library()


@register.filter
def may_import_registry(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in policy.IMPORT_ROLES
