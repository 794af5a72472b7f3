"""Record linkage of imported rows to the registry: exact keys first, then scored candidates a person decides.

The police's, the 居委会's and 市场监管's lists spell the same person differently (a variant character, full-width
digits, 弄/衖, a missing room, no ID number). Addresses are already normalised by `parse_address` (address_key), so
what is left is scoring: rapidfuzz compares names and addresses, exact fields compare phones and birth dates, and
each pair gets its reasons in Chinese so the person who decides sees why the two rows were put side by side.

Why rapidfuzz and not splink or recordlinkage: both want pandas (not in this project), splink's EM-trained weights
are hard to explain per pair, and neither is faster than a blocked in-memory index for a street's 200,000 rows.

Blocking: a row is only compared with records sharing its phone, its birth date, its building (路+弄+号) or its
surname and birth year, so an import of 200,000 rows makes a few million comparisons, not 10^10.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process

THRESHOLD = 0.80  # a pair scoring at least this waits for a person's decision
NAME_FLOOR = 50  # rapidfuzz ratio below which two names are not the same person whatever else agrees
BLOCK_LIMIT = 400  # a block larger than this (a shared switchboard number) is not a signal
WEIGHTS = {"name": 0.35, "phone": 0.25, "birth": 0.20, "address": 0.20}

_NAME_NOISE = re.compile(r"[\s·.•・]")


def normal_name(name: str) -> str:
    return _NAME_NOISE.sub("", unicodedata.normalize("NFKC", name or ""))


def building_of(road: str, lane: str, house: str) -> str:
    return f"{road}|{lane}|{house}" if road and (lane or house) else ""


@dataclass(slots=True)
class Record:
    """What linkage knows of one registry record (or one row of the file already imported)."""

    id: int
    name: str
    phone: str = ""
    phone_alt: str = ""
    birth: date | None = None
    id_number: str = ""
    address_key: str = ""
    building: str = ""
    room: str = ""
    row: int = 0  # a row of the file being imported, not written yet (its id comes when the batch is written)


@dataclass
class Match:
    record: Record
    score: float
    reasons: list[str]


def name_similarity(a: str, b: str) -> float:
    """rapidfuzz's ratio (0–100), except that one given-name character written differently (伟/玮, 国/囯: a
    variant, a homophone, a typo) in a name of the same length and surname counts 75, whatever the length."""
    ratio = fuzz.ratio(a, b)
    if len(a) == len(b) >= 2 and a[0] == b[0] and sum(x != y for x, y in zip(a, b, strict=True)) == 1:
        return max(ratio, 75.0)
    return ratio


def score(row: Record, other: Record) -> Match | None:
    """The pair's similarity in [0, 1] with its reasons, or None when the two cannot be one person."""
    if row.id_number and other.id_number and row.id_number != other.id_number:
        return None  # two different ID numbers: two people, however alike
    name = name_similarity(row.name, other.name)
    if name < NAME_FLOOR:
        return None
    reasons = [f"姓名相同({other.name})" if name == 100 else f"姓名相似({row.name}/{other.name},{name:.0f}%)"]
    parts: dict[str, float] = {"name": name / 100}
    phones, others = {row.phone, row.phone_alt} - {""}, {other.phone, other.phone_alt} - {""}
    if phones and others:
        same = bool(phones & others)
        parts["phone"] = 1.0 if same else 0.0
        reasons.append("电话相同" if same else "电话不同")
    if row.birth and other.birth:
        if row.birth == other.birth:
            parts["birth"] = 1.0
            reasons.append("出生日期相同")
        elif row.birth.year == other.birth.year and (row.birth.month == other.birth.month
                                                     or (row.birth.month, row.birth.day) == (other.birth.day,
                                                                                             other.birth.month)):
            parts["birth"] = 0.5
            reasons.append("出生日期相近(年份相同,月日疑似笔误)")
        else:
            parts["birth"] = 0.0
            reasons.append("出生日期不同")
    if row.address_key and other.address_key:
        if row.address_key == other.address_key:
            parts["address"] = 1.0
            reasons.append("地址相同")
        elif row.building and row.building == other.building:
            if not row.room or not other.room:
                parts["address"] = 0.8
                reasons.append("同一门牌,一方缺室号")
            else:
                parts["address"] = 0.3
                reasons.append("同一门牌,室号不同")
        else:
            parts["address"] = fuzz.ratio(row.address_key, other.address_key) / 200
            reasons.append("地址不同")
    if len(parts) < 3:
        return None  # a name and one more field: too little to put before a person
    if not any(parts.get(k) == 1.0 or (k == "address" and parts.get(k, 0.0) >= 0.8) for k in ("phone", "birth", "address")):
        return None  # nothing but the name agrees exactly
    if bool(row.id_number) != bool(other.id_number):
        reasons.append("身份证号一方缺失")
    total = sum(WEIGHTS[k] * v for k, v in parts.items()) / sum(WEIGHTS[k] for k in parts)
    return Match(other, round(total, 3), reasons)


class Index:
    """The registry's records in memory, by exact key and by block; rows imported are added as they are written."""

    def __init__(self):
        self.by_document: dict[str, Record] = {}
        self.by_name_address: dict[tuple[str, str], Record] = {}
        self.by_phone_name: dict[tuple[str, str], Record] = {}
        # The blocks, one dict each: phone, birth date, surname + birth year, building.
        self.by_phone: dict[str, list[Record]] = {}
        self.by_birth: dict[date, list[Record]] = {}
        self.by_year: dict[tuple[str, int], list[Record]] = {}
        self.by_building: dict[str, list[Record]] = {}

    def add(self, record: Record) -> None:
        if record.id_number:
            self.by_document[record.id_number] = record
        if record.address_key:
            self.by_name_address.setdefault((record.name, record.address_key), record)
        for phone in (record.phone, record.phone_alt):
            if phone:
                self.by_phone_name.setdefault((phone, record.name), record)
                self.by_phone.setdefault(phone, []).append(record)
        birth = record.birth
        if birth:
            self.by_birth.setdefault(birth, []).append(record)
            self.by_year.setdefault((record.name[:1], birth.year), []).append(record)
        if record.building:
            self.by_building.setdefault(record.building, []).append(record)

    def exact(self, row: Record) -> tuple[Record, str] | None:
        """The record with the row's ID number, or its name at its address, or its name with its phone."""
        if row.id_number and row.id_number in self.by_document:
            return self.by_document[row.id_number], "身份证号相同"
        if row.address_key and (row.name, row.address_key) in self.by_name_address:
            found = self.by_name_address[(row.name, row.address_key)]
            if not (row.id_number and found.id_number and found.id_number != row.id_number):
                return found, "姓名和地址相同"
        for phone in (row.phone, row.phone_alt):
            found = self.by_phone_name.get((phone, row.name)) if phone else None
            if found and not (row.id_number and found.id_number and found.id_number != row.id_number):
                return found, "姓名和电话相同"
        return None

    def candidates(self, row: Record, *, limit: int = 3) -> list[Match]:
        """The best-scoring records at or above THRESHOLD, best first."""
        blocks = [self.by_phone.get(p, ()) for p in (row.phone, row.phone_alt) if p]
        if row.birth:
            blocks += [self.by_birth.get(row.birth, ()), self.by_year.get((row.name[:1], row.birth.year), ())]
        seen: dict[int, Record] = {}
        for block in blocks:
            if len(block) <= BLOCK_LIMIT:
                for record in block:
                    seen.setdefault(id(record), record)
        if row.building:
            block = self.by_building.get(row.building, ())
            if block:
                # A building holds dozens of people: let rapidfuzz (in C) keep only the similar names.
                names = [r.name for r in block]
                for _, _, position in process.extract(row.name, names, scorer=fuzz.ratio, score_cutoff=NAME_FLOOR,
                                                      limit=20):
                    seen.setdefault(id(block[position]), block[position])
        matches = [m for r in seen.values() if r is not row and (m := score(row, r)) and m.score >= THRESHOLD]
        matches.sort(key=lambda m: -m.score)
        return matches[:limit]
