from django import template

from cases.models import State

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key)


@register.filter
def state_label(value: str) -> str:
    return State(value).label if value in State.values else "新建"
