from django import template

from audit.labels import detail_items, object_type_label

register = template.Library()


@register.filter
def object_label(code: str) -> str:
    return object_type_label(code)


@register.filter
def details(detail: dict) -> list[tuple[str, str]]:
    return detail_items(detail)
