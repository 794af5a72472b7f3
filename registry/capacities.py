"""Capacity kinds: each community programme declares the capacities it gives people, here, by name.

A kind is a stable code and a Chinese label. `Capacity.kind` is checked against this table by the services, so a
programme (时间银行's 志愿者, 理事会's 理事) adds a kind with `capacity_kind_register` in its AppConfig.ready and never
edits `registry` or `cases`.
"""

from __future__ import annotations

_KINDS: dict[str, str] = {
    "resident": "居民",
    "volunteer": "志愿者",
    "building_leader": "楼组长",
    "unit_operator": "商户负责人",
    "council_member": "理事会成员",
}


def capacity_kind_register(code: str, label: str) -> None:
    if code in _KINDS and _KINDS[code] != label:
        raise ValueError(f"capacity kind {code!r} already registered as {_KINDS[code]!r}")
    _KINDS[code] = label


def capacity_kinds() -> dict[str, str]:
    return dict(_KINDS)


def capacity_label(code: str) -> str:
    return _KINDS.get(code, code)
