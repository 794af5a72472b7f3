"""Two source lists of the demo street's residents, as they arrive from outside: the police's (派出所 实有人口,
a GB18030 CSV) and a 居委会's data book (an .xlsx in the default profile's columns: 姓名, 性别, 出生日期, 身份证号,
联系电话, 居住地址, 人员类型). ~150 rows each, written from the loaded registry, so they disagree with it — and with
each other — the way real lists do:

- full-width digits (１２８弄), 衖 for 弄, Chinese numerals (一二八弄), the 上海市静安区 prefix, a missing room;
- a typo in a name (a homophone), a missing ID number or phone, a phone written with spaces or dashes;
- near-duplicates of existing persons (the same person, spelled differently: linkage must find them), a person
  twice in one file (flagged as a duplicate inside the file), and new persons the registry does not hold yet.

`registry_source_files()` writes them (deterministically) and returns their paths; `truth.json` beside them says
which registry person each row is (or null for a new person), for the linkage's precision and recall.
`demo/data/` holds a copy written from the organisation and registry of seed 2026 without cases (so the case
linking has not renamed anybody): a sample for the importer's tests. load_demo writes its own from the loaded street.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from django.conf import settings

from registry.models import Membership, Person, PersonStatus

from .registry import id_number

POLICE = "registry_police.csv"
COMMITTEE = "registry_committee.xlsx"
TRUTH = "registry_sources_truth.json"
ROWS = 150
# Homophones and look-alikes a clerk types for each other.
TYPOS = {"英": "瑛", "华": "化", "明": "鸣", "国": "帼", "平": "萍", "芳": "方", "军": "君", "伟": "玮", "静": "靜",
         "红": "宏", "丽": "莉", "建": "健", "海": "每", "秀": "琇", "玉": "钰", "文": "雯", "志": "智", "强": "彊"}
_FULL = str.maketrans("0123456789", "０１２３４５６７８９")
_CN = dict(zip("0123456789", "〇一二三四五六七八九", strict=True))


def _typo(rng: random.Random, name: str) -> str:
    spots = [i for i, ch in enumerate(name) if i > 0 and ch in TYPOS]
    if not spots:
        return name
    i = rng.choice(spots)
    return name[:i] + TYPOS[name[i]] + name[i + 1:]


def _spell_address(rng: random.Random, address: str, style: int) -> str:
    if style == 0:
        return "上海市静安区" + address
    if style == 1:
        return address.translate(_FULL)
    if style == 2:
        return address.replace("弄", "衖")
    if style == 3:  # no room
        return address.split("号")[0] + "号" if "号" in address else address
    if style == 4 and "弄" in address:
        road, rest = address.split("弄", 1)
        digits = "".join(ch for ch in road if ch.isdigit())
        return road[: len(road) - len(digits)] + "".join(_CN[d] for d in digits) + "弄" + rest
    return address


def _spell_phone(rng: random.Random, phone: str) -> str:
    if len(phone) == 11 and rng.random() < 0.3:
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}" if rng.random() < 0.5 else f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    return phone


def _rows(rng: random.Random, persons: list[tuple[Person, str]], new: int, *, duplicate_inside: bool) -> list[dict]:
    """Rows for existing persons (spelled the list's way, some near-duplicates) and `new` persons."""
    rows = []
    for index, (person, address) in enumerate(persons):
        near = index % 5 == 0  # every fifth: a near-duplicate, not an exact key match
        name = _typo(rng, person.name) if near and rng.random() < 0.7 else person.name
        number = person.id_number
        if near:
            number = "" if rng.random() < 0.6 else number
        phone = "" if near and rng.random() < 0.3 else _spell_phone(rng, person.phone)
        rows.append({"person": person.pk, "near_duplicate": near, "name": name,
                     "gender": person.get_gender_display() if person.gender else "",
                     "birth": person.birth_date.isoformat() if person.birth_date else "", "id_number": number,
                     "phone": phone, "address": _spell_address(rng, address, rng.randint(0, 5)),
                     "residence": person.get_residence_display()})
    surnames = "张王陈李徐沈朱陆周吴"
    taken = set(Person.objects.exclude(id_number="").values_list("id_number", flat=True))
    for n in range(new):
        from datetime import date

        born = date(rng.randint(1950, 2002), rng.randint(1, 12), rng.randint(1, 28))
        male = rng.random() < 0.5
        serial = 900 + n
        while id_number("310106", born, serial, male) in taken:  # a new person: never someone's number
            serial += 37
        taken.add(id_number("310106", born, serial, male))
        rows.append({"person": None, "near_duplicate": False, "name": rng.choice(surnames) + rng.choice("新来佳宁安康"),
                     "gender": "男" if male else "女", "birth": born.isoformat(),
                     "id_number": id_number("310106", born, serial, male),
                     "phone": f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}",
                     "address": persons[n % len(persons)][1] if persons else "", "residence": "流动"})
    if duplicate_inside and rows:
        rows.append({**rows[1], "name": rows[1]["name"], "address": _spell_address(rng, rows[1]["address"], 1)})
    rng.shuffle(rows)
    return rows


def _sample(rng: random.Random, count: int, exclude: set[int] = frozenset()) -> list[tuple[Person, str]]:
    members = list(Membership.objects.filter(ended_at__isnull=True, person__status=PersonStatus.ACTIVE,
                                             person__anonymised_at__isnull=True)
                   .exclude(person_id__in=exclude).select_related("person", "household").order_by("pk")[:20000])
    picked = rng.sample(members, k=min(count, len(members)))
    return [(m.person, m.household.address) for m in picked]


def registry_source_files(directory: Path | None = None, *, seed: int = 2026) -> list[Path]:
    """Write the police CSV and the 居委会 workbook (and truth.json) into `directory` (default VAR_DIR/demo) from
    the loaded registry; returns [police csv, committee xlsx]. Same registry and seed, same files."""
    from openpyxl import Workbook

    from core.excel import append_row

    directory = Path(directory or settings.VAR_DIR / "demo")
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    shared = _sample(rng, 40)  # in both lists: the two sources must be linked to each other as well
    police_only = _sample(rng, 95, exclude={p.pk for p, _ in shared})
    committee_only = _sample(rng, 95, exclude={p.pk for p, _ in shared + police_only})
    police = _rows(rng, shared + police_only, new=14, duplicate_inside=False)
    committee = _rows(rng, shared + committee_only, new=14, duplicate_inside=True)

    police_path = directory / POLICE
    with police_path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["姓名", "性别", "出生日期", "公民身份号码", "联系电话", "实际居住地址", "人员类别"])
        for row in police:
            writer.writerow([row["name"], row["gender"], row["birth"].replace("-", ""), row["id_number"],
                             row["phone"], row["address"], row["residence"]])
    committee_path = directory / COMMITTEE
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("居民底册")
    append_row(sheet, ["姓名", "性别", "出生日期", "身份证号", "联系电话", "居住地址", "人员类型"])
    for row in committee:
        append_row(sheet, [row["name"], row["gender"], row["birth"], row["id_number"], row["phone"], row["address"],
                           row["residence"]])
    workbook.save(committee_path)
    truth = {POLICE: [{"line": i + 2, "person": r["person"], "near_duplicate": r["near_duplicate"]}
                      for i, r in enumerate(police)],
             COMMITTEE: [{"line": i + 2, "person": r["person"], "near_duplicate": r["near_duplicate"]}
                         for i, r in enumerate(committee)]}
    (directory / TRUTH).write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return [police_path, committee_path]
