from django import template

register = template.Library()


@register.filter
def kpi_value(row: dict, code: str):
    return row[code]["value"]


@register.filter
def dict_get(mapping: dict, key: str):
    return mapping.get(key)
