"""GeoReport v2 responses in JSON or XML, including the standard error format."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse, JsonResponse

from core.text import strip_illegal

# XML element names of list items, per GeoReport v2.
ITEM_NAMES = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
              "values": "value", "endpoints": "endpoint", "formats": "format"}


def xml_text(value: Any) -> str:
    """A stored text carrying a character XML 1.0 cannot hold (a stray \x0b pasted from Excel) must not make the
    whole feed invalid XML."""
    return strip_illegal(str(value))


def _to_xml(parent: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            element = ET.SubElement(parent, key)
            _to_xml_named(element, key, child)
    elif value is None:
        return
    elif isinstance(value, bool):
        parent.text = "true" if value else "false"
    else:
        parent.text = xml_text(value)


def _to_xml_named(element: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, list):
        item_name = ITEM_NAMES.get(name, "item")
        for item in value:
            _to_xml(ET.SubElement(element, item_name), item)
    else:
        _to_xml(element, value)


def respond(data: Any, fmt: str, *, root: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        element = ET.Element(root)
        _to_xml_named(element, root, data)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond([{"code": status, "description": description}], fmt, root="errors", status=status)
