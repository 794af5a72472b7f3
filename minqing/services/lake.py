"""The data lake (数据湖): other systems' rows (12345历史, 房管报修, 市场监管投诉 …) imported per LakeSource and joined
to the registry by address — the household down to the room, else the unit at the address, else the building (路弄号
without 室) placed in its 居民区 by the gazetteer.

Idempotent by (source, external_id): a row seen before is counted as a duplicate, never stored twice; a file without
an id column gets a content fingerprint as its id (date + address + text), so uploading it again changes nothing.
Rows are parsed, matched in memory and bulk-inserted in batches (one transaction per batch, progress on the
LakeImport after each); the rows not taken are kept with their reason (LakeRejection) for the download.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F
from openpyxl import Workbook

from core import clock
from core.background import BROKER_DOWN_MESSAGE, run_in_background
from core.errors import DomainError, PermissionDenied, ValidationFailed
from core.excel import append_row
from core.tabular import count_rows, read_rows
from core.text import clean_imported
from org.addresses import normalise_address
from org.models import User
from org.selectors import Gazetteer
from registry.addresses import parse_address
from registry.models import Household, Unit

from .. import policy
from ..models import LakeImport, LakeRecord, LakeRejection, LakeSource

logger = logging.getLogger(__name__)
BATCH_SIZE = 2000
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
# The column names other systems use for each field (compared without spaces, brackets and case).
COLUMNS: dict[str, tuple[str, ...]] = {
    "external_id": ("编号", "原系统编号", "工单编号", "工单号", "单号", "记录编号", "报修单号", "投诉编号", "流水号",
                    "序号", "id"),
    "occurred_on": ("日期", "时间", "受理时间", "受理日期", "登记日期", "登记时间", "报修日期", "报修时间", "投诉日期",
                    "投诉时间", "发生日期", "创建时间", "来电时间"),
    "address": ("地址", "诉求地址", "报修地址", "发生地址", "事发地址", "住址", "投诉地址", "房屋地址", "详细地址"),
    "text": ("内容", "诉求内容", "报修内容", "投诉内容", "问题描述", "描述", "事项", "诉求", "反映内容", "来电内容"),
    "category_text": ("分类", "类别", "诉求分类", "报修类别", "投诉类别", "类型", "问题分类", "事项分类"),
}
LABELS = {"external_id": "编号", "occurred_on": "日期", "address": "地址", "text": "内容", "category_text": "分类"}
_HEADER_NOISE = re.compile(r"[\s()()【】\[\]*::]")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
EXCEL_EPOCH = date(1899, 12, 30)


def _header_key(text: str) -> str:
    return _HEADER_NOISE.sub("", normalise_address(text or "")).lower()


def map_columns(header: list[str]) -> dict[str, str]:
    """{field: the file's header} for the fields found; a file without a 内容 column is refused (nothing to keep)."""
    by_key = {_header_key(h): h for h in header if h}
    mapping: dict[str, str] = {}
    for name, variants in COLUMNS.items():
        for variant in variants:
            if _header_key(variant) in by_key:
                mapping[name] = by_key[_header_key(variant)]
                break
    if "text" not in mapping:
        raise ValidationFailed("文件缺少“内容”列(可用列名:" + "、".join(COLUMNS["text"][:6]) + ")",
                               details={"field": "file", "header": header})
    if "address" not in mapping:
        raise ValidationFailed("文件缺少“地址”列(可用列名:" + "、".join(COLUMNS["address"][:6]) + ")",
                               details={"field": "file", "header": header})
    return mapping


def parse_day(text: str) -> date | None:
    """A date as other systems write it: 2026-03-01, 2026/3/1, 2026年3月1日, with a time or not, or Excel's serial."""
    text = (text or "").strip()
    if not text:
        return None
    head = text.replace("T", " ").split(" ")[0]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    if head.isdigit() and 20000 < int(head) < 80000:  # an Excel date stored as a number
        return EXCEL_EPOCH + timedelta(days=int(head))
    raise ValueError(text)


# --- joining by address -----------------------------------------------------------------------------------------


@dataclass
class Place:
    key: str
    match: str
    household_id: int | None = None
    unit_id: int | None = None
    neighbourhood_id: int | None = None


class AddressIndex:
    """The registry's addresses in memory (one load per import): household keys, unit keys, and per building the
    居民区 its households are in; the gazetteer for buildings the registry does not hold."""

    def __init__(self) -> None:
        self.households: dict[str, tuple[int, int | None]] = {}
        self.buildings: dict[str, Counter] = {}
        for pk, key, nb, road, lane, house in Household.objects.values_list(
                "pk", "address_key", "neighbourhood_id", "road", "lane", "house").iterator(chunk_size=5000):
            self.households[key] = (pk, nb)
            if road and nb:
                self.buildings.setdefault(_building(road, lane, house), Counter())[nb] += 1
        self.units: dict[str, tuple[int, int | None]] = {}
        for pk, key, nb in Unit.objects.values_list("pk", "address_key", "neighbourhood_id").order_by("pk"):
            self.units.setdefault(key, (pk, nb))
        self.gazetteer = Gazetteer.load()
        self._building_nb: dict[str, int | None] = {}

    def place(self, address: str) -> Place:
        if not address:
            return Place("", LakeRecord.Match.NONE)
        parsed = parse_address(address)
        key = parsed.key
        if not parsed.road:
            return Place(key[:200], LakeRecord.Match.NONE)
        if parsed.room and key in self.households:
            pk, nb = self.households[key]
            return Place(key, LakeRecord.Match.HOUSEHOLD, household_id=pk, neighbourhood_id=nb)
        if key in self.units:
            pk, nb = self.units[key]
            return Place(key, LakeRecord.Match.UNIT, unit_id=pk, neighbourhood_id=nb)
        if not parsed.room and key in self.households:  # a house without rooms (独栋) is a household too
            pk, nb = self.households[key]
            return Place(key, LakeRecord.Match.HOUSEHOLD, household_id=pk, neighbourhood_id=nb)
        nb = self._building(parsed)
        return Place(key, LakeRecord.Match.BUILDING if nb else LakeRecord.Match.NONE, neighbourhood_id=nb)

    def _building(self, parsed) -> int | None:
        building = _building(parsed.road, parsed.lane, parsed.house)
        if building in self._building_nb:
            return self._building_nb[building]
        place = self.gazetteer.lookup(building)
        nb = place.neighbourhood.pk if place and place.neighbourhood else None
        if nb is None and building in self.buildings:
            nb = self.buildings[building].most_common(1)[0][0]
        self._building_nb[building] = nb
        return nb


def _building(road: str, lane: str, house: str) -> str:
    return road + (f"{lane}弄" if lane else "") + (f"{house}号" if house else "")


# --- one batch ------------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    created: int = 0
    duplicates: int = 0
    matched: int = 0
    unmatched: int = 0
    rejected: int = 0
    rejections: list[tuple[int, str, dict]] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("created", "duplicates", "matched", "unmatched", "rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "duplicates": self.duplicates, "matched": self.matched,
                "unmatched": self.unmatched, "rejected": self.rejected}


def _fingerprint(day: date | None, address: str, text: str) -> str:
    digest = hashlib.sha1(f"{day}|{address}|{text}".encode()).hexdigest()[:24]
    return f"fp:{digest}"


class LakeImporter:
    def __init__(self, *, source: LakeSource, lake_import: LakeImport | None, mapping: dict[str, str],
                 index: AddressIndex | None = None):
        self.source, self.lake_import, self.mapping = source, lake_import, mapping
        self.index = index or AddressIndex()
        self.now = clock.now()

    def value(self, raw: dict[str, str], name: str) -> str:
        header = self.mapping.get(name)
        return clean_imported(raw.get(header) or "").strip() if header else ""

    def parse(self, number: int, raw: dict[str, str]) -> LakeRecord | str:
        """The row as an unsaved record, or the reason it is refused."""
        text = self.value(raw, "text")
        if not text:
            return "内容为空"
        address = self.value(raw, "address")
        if len(address) > 200:
            return "地址超过200字"
        try:
            day = parse_day(self.value(raw, "occurred_on"))
        except ValueError:
            return f"日期无法识别:{self.value(raw, 'occurred_on')[:30]}"
        if day is not None and day > self.now.date() + timedelta(days=1):
            return f"日期晚于今天:{day.isoformat()}"
        external_id = self.value(raw, "external_id")
        if len(external_id) > 60:
            return "编号超过60字"
        place = self.index.place(address)
        return LakeRecord(
            source=self.source, lake_import=self.lake_import, external_id=external_id or _fingerprint(day, address, text),
            occurred_on=day, address=address, address_key=place.key[:200], text=text,
            category_text=self.value(raw, "category_text")[:100], household_id=place.household_id,
            unit_id=place.unit_id, neighbourhood_id=place.neighbourhood_id, match=place.match, imported_at=self.now)

    def run_batch(self, batch: Iterable[tuple[int, dict[str, str]]]) -> Tally:
        """Parse, drop the ids seen before (in the lake or earlier in this batch), bulk-insert the rest. Runs inside
        the caller's transaction."""
        tally, records = Tally(), []
        for number, raw in batch:
            parsed = self.parse(number, raw)
            if isinstance(parsed, str):
                tally.rejected += 1
                tally.rejections.append((number, parsed, {k: v for k, v in raw.items() if k}))
            else:
                records.append(parsed)
        ids = [r.external_id for r in records]
        seen = set(LakeRecord.objects.filter(source=self.source, external_id__in=ids)
                   .values_list("external_id", flat=True)) if ids else set()
        fresh = []
        for record in records:
            if record.external_id in seen:
                tally.duplicates += 1
                continue
            seen.add(record.external_id)
            fresh.append(record)
            if record.match == LakeRecord.Match.NONE:
                tally.unmatched += 1
            else:
                tally.matched += 1
        LakeRecord.objects.bulk_create(fresh, batch_size=500)
        tally.created = len(fresh)
        return tally


# --- an upload's life -----------------------------------------------------------------------------------------


def lake_source_for(*, name: str) -> LakeSource:
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise ValidationFailed("请填写来源名称(不超过50字)", details={"field": "source"})
    return LakeSource.objects.get_or_create(name=name)[0]


def _check_file(path: Path) -> dict[str, str]:
    try:
        header, _ = read_rows(path)
    except DomainError:
        raise
    except Exception:
        raise ValidationFailed("文件无法读取,请确认是 Excel(.xlsx)或 CSV 文件", details={"field": "file"}) from None
    return map_columns(header)


def lake_import_create(*, actor: User, source: LakeSource, filename: str, content: bytes) -> LakeImport:
    """An upload, stored and its header checked now (a wrong file is refused before anything runs)."""
    policy.check_role(actor, policy.LAKE_ROLES, "导入数据湖")
    name = Path(filename or "import").name[:200]
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValidationFailed("只支持 .xlsx 和 .csv 文件", details={"field": "file"})
    if not content:
        raise ValidationFailed("文件为空", details={"field": "file"})
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationFailed("文件超过200MB,请分批导入", details={"field": "file"})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        _check_file(path)
        total = count_rows(path)
    return LakeImport.objects.create(source=source, filename=name, content=content, total=total,
                                     created_at=clock.now(), created_by=actor)


def lake_import_start(*, lake_import: LakeImport) -> bool:
    """Queue the import in the background (after the upload's transaction commits)."""
    if lake_import.status not in (LakeImport.Status.PENDING, LakeImport.Status.FAILED):
        return False
    LakeImport.objects.filter(pk=lake_import.pk).update(status=LakeImport.Status.RUNNING, error="")
    import_id = lake_import.pk
    transaction.on_commit(lambda: _launch(import_id))
    return True


def _launch(import_id: int) -> None:
    from .. import tasks

    if run_in_background(tasks.run_lake_import, import_id) is False:
        LakeImport.objects.filter(pk=import_id).update(status=LakeImport.Status.FAILED, error=BROKER_DOWN_MESSAGE)


def lake_import_run(import_id: int, *, path: Path | None = None, batch_size: int = BATCH_SIZE,
                    progress: Callable[[LakeImport], None] | None = None) -> LakeImport:
    """Run an import from its stored file (or `path`), resuming after the rows already processed."""
    lake_import = LakeImport.objects.select_related("source").get(pk=import_id)
    if lake_import.status == LakeImport.Status.DONE:
        return lake_import
    LakeImport.objects.filter(pk=import_id).update(status=LakeImport.Status.RUNNING, error="")
    try:
        with tempfile.TemporaryDirectory() as folder:
            if path is None:
                path = Path(folder) / f"upload{Path(lake_import.filename).suffix.lower() or '.csv'}"
                path.write_bytes(bytes(lake_import.content or b""))
            header, rows = read_rows(Path(path))
            importer = LakeImporter(source=lake_import.source, lake_import=lake_import, mapping=map_columns(header))
            skip, batch = lake_import.processed, []
            for index, item in enumerate(rows):
                if index < skip:
                    continue
                batch.append(item)
                if len(batch) >= batch_size:
                    _commit(lake_import, importer, batch, progress)
                    batch = []
            if batch:
                _commit(lake_import, importer, batch, progress)
        LakeImport.objects.filter(pk=import_id).update(status=LakeImport.Status.DONE, finished_at=clock.now())
    except Exception as exc:
        logger.exception("lake import %s failed", import_id)
        message = exc.message if isinstance(exc, DomainError) else f"导入中断:{exc}"
        LakeImport.objects.filter(pk=import_id).update(status=LakeImport.Status.FAILED, error=message[:500])
    lake_import.refresh_from_db()
    return lake_import


def _commit(lake_import: LakeImport, importer: LakeImporter, batch: list, progress) -> None:
    with transaction.atomic():
        tally = importer.run_batch(batch)
        LakeRejection.objects.bulk_create([LakeRejection(lake_import=lake_import, row_number=n, reason=r[:300], data=d)
                                           for n, r, d in tally.rejections])
        LakeImport.objects.filter(pk=lake_import.pk).update(
            processed=F("processed") + len(batch), created=F("created") + tally.created,
            duplicates=F("duplicates") + tally.duplicates, matched=F("matched") + tally.matched,
            unmatched=F("unmatched") + tally.unmatched, rejected=F("rejected") + tally.rejected)
    if progress:
        lake_import.refresh_from_db()
        progress(lake_import)


def lake_import_file(*, actor: User, path: Path, source_name: str, batch_size: int = BATCH_SIZE,
                     progress: Callable[[LakeImport], None] | None = None) -> LakeImport:
    """The command's (and the demo's) import of a file on disk, in this process: same rows, same counts."""
    policy.check_role(actor, policy.LAKE_ROLES, "导入数据湖")
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise ValidationFailed("只支持 .xlsx 和 .csv 文件", details={"field": "file"})
    if not path.exists():
        raise ValidationFailed(f"文件不存在:{path}", details={"field": "file"})
    _check_file(path)
    source = lake_source_for(name=source_name)
    lake_import = LakeImport.objects.create(source=source, filename=path.name[:200], total=count_rows(path),
                                            created_at=clock.now(), created_by=actor)
    return lake_import_run(lake_import.pk, path=path, batch_size=batch_size, progress=progress)


def rejections_workbook(lake_import: LakeImport, *, actor: User) -> Workbook:
    """The rows not taken, as the file gave them plus the reason (masked for the masked roles)."""
    if actor.role not in policy.LAKE_ROLES:
        raise PermissionDenied("您的角色不能查看数据湖导入")
    masker = policy.masker_for(actor)
    rejections = list(lake_import.rejections.all())
    headers: list[str] = []
    for r in rejections:
        headers += [h for h in r.data if h and h not in headers]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("未导入的行")
    append_row(sheet, ["行号", "原因", *headers])
    for r in rejections:
        append_row(sheet, [r.row_number, r.reason, *[masker.text(r.data.get(h, "")) for h in headers]])
    return workbook


def summary(lake_import: LakeImport) -> dict[str, Any]:
    return {"import": lake_import.pk, "source": lake_import.source.name, "status": lake_import.status,
            "rows": lake_import.total, "processed": lake_import.processed, "created": lake_import.created,
            "duplicates": lake_import.duplicates, "matched": lake_import.matched,
            "unmatched": lake_import.unmatched, "rejected": lake_import.rejected, "error": lake_import.error}
