"""A household's address read down to the room: 上海市静安区愚园路128弄3号501室 → 愚园路 / 128 / 3 / 501.

`address_key` is the natural key of a household (and the join key of imports): full-width digits, 衖, 號, Chinese
numerals, spaces and the city/district/street prefix don't change it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from org.addresses import chinese_to_int, normalise_address

_PREFIX = re.compile(r"^(?:中国)?(?:上海市?)?(?:[\u4e00-\u9fff]{1,4}区)?(?:[\u4e00-\u9fff]{1,6}街道)?")
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+(?=[弄号室支楼])")
_ADDRESS = re.compile(
    r"(?P<road>[\u4e00-\u9fff]{1,12}?(?:大道|路|街|道|里|坊|巷|新村|村|苑|公寓|花园|小区))"
    r"(?:(?P<lane>\d+)弄(?:\d+支弄)?)?"
    r"(?:(?P<house>\d+)号(?:楼)?)?"
    r"(?:[-—–]?(?P<room>[0-9]{1,5}[A-Za-z]?)(?:室|房)?)?"
)


@dataclass(frozen=True)
class ParsedAddress:
    text: str  # normalised, without the prefix
    road: str
    lane: str
    house: str
    room: str

    @cached_property  # read several times a row by an import (frozen: cached_property writes __dict__ itself)
    def key(self) -> str:
        if not self.road:
            return self.text
        parts = [self.road]
        if self.lane:
            parts.append(f"{self.lane}弄")
        if self.house:
            parts.append(f"{self.house}号")
        if self.room:
            parts.append(f"{self.room}室")
        return "".join(parts)

    @property
    def display(self) -> str:
        return self.key


def parse_address(address: str) -> ParsedAddress:
    text = normalise_address(address).replace("號", "号").replace("邨", "村")
    text = _CN_NUMBER.sub(lambda m: str(chinese_to_int(m.group())), text)
    text = _PREFIX.sub("", text, count=1) or text
    match = _ADDRESS.search(text)
    if not match or not (match["lane"] or match["house"]):
        return ParsedAddress(text, "", "", "", "")
    lane, house, room = match["lane"] or "", match["house"] or "", (match["room"] or "").upper()
    strip = lambda n: str(int(n)) if n.isdigit() else n  # noqa: E731 - 0128 and 128 are one lane
    return ParsedAddress(text, match["road"], strip(lane) if lane else "", strip(house) if house else "", room)
