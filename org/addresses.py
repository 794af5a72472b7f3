"""Address text of the street: normalising what people type and reading road, 弄/号 and unit numbers out of it.

The one home of these patterns: the gazetteer (org.selectors), duplicate search (cases.queues, dispatch),
masking (cases.policy) and the public address (open311) all read addresses the same way.
"""

from __future__ import annotations

import re
import unicodedata

# A road (…路/街/道/大道/里/坊/巷) followed by a lane (弄) or house (号) number; 衖 is the old form of 弄 still seen
# in hotline texts. The road may have taken a prefix ("上海市静安区愚园路"): callers try its suffixes.
ROAD_NUMBER = re.compile(r"(?P<road>[\u4e00-\u9fff]{1,12}?(?:路|街|道|大道|里|坊|巷))\s*(?P<num>\d+)\s*(?P<kind>弄|衖|号)")

# Everything up to the first 弄/号 number (the lane, or the house on a road), then a 号 inside that lane if any.
_LANE_AND_HOUSE = re.compile(r"^(?P<lane>.*?\d+\s*[弄号])(?:\d+号)?")

# What a number in an address counts: lane, house, room, building, floor, entrance.
UNITS = ("弄", "衖", "号", "室", "栋", "幢", "楼", "单元")
# A house-like number in free text (masked for roles without need).
HOUSE_NUMBER = re.compile(rf"\d+(?=\s*(?:{'|'.join(UNITS)}))")
# The first number of an address as typed (full-width, Chinese numerals, 號 and 支弄 included), or any digit.
_FIRST_NUMBER = re.compile(rf"[\d０-９一二三四五六七八九十百零〇]+\s*(?:{'|'.join((*UNITS, '號', '支弄'))})|\d")


def normalise_address(address: str) -> str:
    """Full-width digits → ASCII, spaces removed, 衖 → 弄."""
    text = unicodedata.normalize("NFKC", address or "")
    return re.sub(r"\s+", "", text).replace("衖", "弄")


def up_to_lane(text: str) -> str | None:
    """愚园路128弄3号501室 → 愚园路128弄 (everything before included), None without a 弄/号 number."""
    match = _LANE_AND_HOUSE.match(text)
    return match["lane"] if match else None


def up_to_house(text: str) -> str | None:
    """愚园路128弄3号501室 → 愚园路128弄3号: the house without the room, None without a 弄/号 number."""
    match = _LANE_AND_HOUSE.match(text)
    return match.group(0) if match else None


def before_first_number(address: str) -> str:
    """愚园路128弄3号 → 愚园路: what comes before the first number, the road (or a landmark)."""
    return _FIRST_NUMBER.split(address, maxsplit=1)[0]


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_to_int(text: str) -> int | None:
    """一百二十八 → 128, 三十 → 30, 十二 → 12, 一二八 → 128 (digit by digit)."""
    if not text:
        return None
    if all(ch in _CN_DIGITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in "十百千":
            unit = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (current or 1) * unit
            current = 0
        else:
            return None
    return total + current
