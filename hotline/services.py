"""12345 import and export. Imports run in committed batches: a crash keeps every committed batch, never half a
row, and a re-run (or a re-import of the same file) skips what is already there: the hotline number is the key."""

from __future__ import annotations

import contextlib
import contextvars
import gc
import logging
import re
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from queue import Full, Queue
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from cases.models import Case, Source
from cases.services import case_numbers_reserve, case_register_validated, case_values_bulk
from cases.services.bulk import copy_text, existing_hotline_numbers, relax_commit_durability
from core import clock
from core.errors import Conflict, DomainError, ValidationFailed
from core.excel import append_row
from core.text import clean_imported
from org.models import Category, User
from org.selectors import Gazetteer

from .models import FIELDS, REQUIRED_FIELDS, ImportBatch, ImportJob, ImportProfile, Rejection
from .reader import count_rows, read_rows

logger = logging.getLogger(__name__)
BATCH_SIZE = 2000  # rows per transaction: one COPY of cases and one of events each
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d",
                "%Y%m%d%H%M%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日")


DEFAULT_PROFILE_NAME = "12345标准格式"


def default_profile() -> ImportProfile:
    """The shipped layout; recreated if it was deleted, so an import never lacks a profile."""
    profile = ImportProfile.objects.filter(is_default=True).first()
    if profile is None:
        columns = {field: header for field, header in FIELDS.items() if field != "title"}
        profile, _ = ImportProfile.objects.get_or_create(name=DEFAULT_PROFILE_NAME,
                                                         defaults={"columns": columns, "is_default": True})
    return profile


def check_header(profile: ImportProfile, header: list[str]) -> None:
    missing = [FIELDS.get(f, f) + f"(列「{profile.columns.get(f, '')}」)" for f in REQUIRED_FIELDS
               if profile.columns.get(f) not in header]
    if missing:
        raise ValidationFailed(f"文件缺少必需的列:{'、'.join(missing)};文件中的列为:{'、'.join(h for h in header if h)}",
                               details={"field": "file"})


def import_job_create(*, actor: User, upload: UploadedFile, profile: ImportProfile) -> ImportJob:
    """Stores the upload and checks its header now, so a wrong file is refused before anything runs."""
    name = Path(upload.name or "import").name
    if Path(name).suffix.lower() not in (".xlsx", ".csv"):
        raise ValidationFailed("只支持 .xlsx 和 .csv 文件", details={"field": "file"})
    job = ImportJob(original_name=name[:200], profile=profile, created_by=actor)
    job.file.save(f"{clock.now():%Y%m%d%H%M%S}-{name}", upload, save=False)
    try:
        header, _ = read_rows(Path(job.file.path))
        check_header(profile, header)
    except DomainError:
        job.file.delete(save=False)
        raise
    except Exception:
        job.file.delete(save=False)
        raise ValidationFailed("文件无法读取,请确认是 Excel(.xlsx)或 CSV 文件", details={"field": "file"}) from None
    job.total_rows = count_rows(Path(job.file.path))
    job.save()
    return job


class RowParser:
    """One export row → the fields of case_register, or ValidationFailed with the reason in Chinese.

    Touches the database only in __init__ (the categories), so parse() can run in the import's reading thread."""

    def __init__(self, profile: ImportProfile):
        self.columns = profile.columns
        self.tz = timezone.get_current_timezone()  # once: the lookup goes through asgiref's Local
        self.categories: dict[str, Category] = {}
        for category in Category.objects.filter(parent__isnull=False).select_related("parent"):
            for key in (category.name, f"{category.parent.name}/{category.name}", f"{category.parent.name}-{category.name}",
                        f"{category.parent.name}>{category.name}", category.code):
                self.categories.setdefault(key, category)
        self._category_texts: dict[str, Category | None] = {}

    def value(self, raw: dict[str, str], field: str) -> str:
        header = self.columns.get(field)
        # Control characters are cleaned, not refused: \x0b (a line break inside an Excel cell) becomes "\n".
        return clean_imported(raw.get(header) or "").strip() if header else ""

    def parse(self, raw: dict[str, str], *, now: datetime | None = None) -> dict[str, Any]:
        number = self.value(raw, "hotline_number")
        if not number:
            raise ValidationFailed("缺少工单编号")
        if len(number) > 40:
            raise ValidationFailed("工单编号超过40个字符")
        content = self.value(raw, "content")
        if not content:
            raise ValidationFailed("缺少诉求内容")
        if len(content) > 5000:
            raise ValidationFailed("诉求内容超过5000字")
        called_at = parse_datetime_text(self.value(raw, "called_at"), "来电时间", self.tz)
        kind = self.value(raw, "kind")
        title = self.value(raw, "title") or (f"【{kind}】" if kind else "") + "".join(content.split())[:28]
        fields: dict[str, Any] = {
            "source": Source.HOTLINE, "hotline_number": number, "content": content, "title": title[:120],
            "citizen_name": self.value(raw, "citizen_name")[:50], "citizen_phone": self.value(raw, "citizen_phone"),
            "address": self.value(raw, "address")[:200], "category": self._category(self.value(raw, "category")),
        }
        if called_at:
            fields["registered_at"] = min(called_at, now or clock.now())
        return fields

    def _category(self, text: str) -> Category | None:
        # An unknown 诉求分类 is not an error: the dispatcher classifies the case.
        if not text:
            return None
        try:
            return self._category_texts[text]
        except KeyError:
            pass
        compact = "".join(text.split())
        category = self.categories.get(compact) or self.categories.get(re.split(r"[/>\-]", compact)[-1])
        if len(self._category_texts) < 10_000:  # an export has a few hundred distinct texts; stay bounded anyway
            self._category_texts[text] = category
        return category


def parse_datetime_text(text: str, label: str, tz: tzinfo | None = None) -> datetime | None:
    if not text:
        return None
    tz = tz or timezone.get_current_timezone()
    if len(text) >= 16 and text[4] == "-" and text[10] == " ":  # the common 2026-10-01 09:00[:00], without strptime
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)  # what make_aware does, minus its checks
    for pattern in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return timezone.make_aware(parsed, tz)
    raise ValidationFailed(f"{label}格式无法识别:{text}")


def import_preview(job: ImportJob, *, limit: int = 20) -> list[dict[str, Any]]:
    """The first rows as they would be imported, each with its problem if any (nothing is written)."""
    _, rows = read_rows(Path(job.file.path))
    parser = RowParser(job.profile)
    existing_numbers = []
    preview = []
    for number, raw in rows:
        entry = {"row": number, "hotline_number": parser.value(raw, "hotline_number"),
                 "content": parser.value(raw, "content")[:60], "address": parser.value(raw, "address"),
                 "category": parser.value(raw, "category"), "problem": ""}
        try:
            fields = parser.parse(raw)
            from cases.services import validate_phone

            validate_phone(fields["citizen_phone"])
            if fields["category"] is None and entry["category"]:
                entry["problem"] = "分类未匹配,将由派单员判断"
        except ValidationFailed as exc:
            entry["problem"] = exc.message
        existing_numbers.append(entry["hotline_number"])
        preview.append(entry)
        if len(preview) >= limit:
            break
    existing = set(Case.objects.filter(hotline_number__in=existing_numbers).values_list("hotline_number", flat=True))
    for entry in preview:
        if entry["hotline_number"] in existing and not entry["problem"]:
            entry["problem"] = "已存在,将跳过"
    return preview


def import_job_run(job_id: int, *, batch_size: int = BATCH_SIZE, writers: int | None = None,
                   progress: Callable[[ImportJob], None] | None = None) -> ImportJob:
    """Runs (or resumes) an import: the batches not committed yet, each batch one transaction.

    A thread reads, parses and checks the rows (pure Python, no database) ahead of the writes; `writers`
    connections (HOTLINE_IMPORT_WRITERS; one on SQLite) write batches side by side: deduplication, numbering, COPY,
    the batch's ImportBatch row and the commit. The job's position and counts follow the batches in file order."""
    job = ImportJob.objects.select_related("profile", "created_by").get(pk=job_id)
    if job.status == ImportJob.Status.DONE:
        return job
    if not job.batch_size:
        job.batch_size = batch_size
    writers = 1 if connection.vendor == "sqlite" else max(1, writers or settings.HOTLINE_IMPORT_WRITERS)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=job.started_at or clock.now(),
                                               error="", heartbeat_at=clock.now(), batch_size=job.batch_size)
    try:
        actor = job.created_by
        if actor.grid_id:
            actor.grid.neighbourhood  # noqa: B018 — fetched here, so checking rows in the thread needs no query
        committed = {batch.first_row: batch for batch in job.batches.filter(first_row__gt=job.last_row)}
        prepare = _BatchPreparer(job, RowParser(job.profile), Gazetteer.load(), committed=committed)
        _, rows = read_rows(Path(job.file.path))
        with _import_runtime(), contextlib.closing(read_ahead(prepare.batches(rows, job.batch_size),
                                                              depth=writers + 1)) as batches:
            for batch in _write_in_order(job, batches, writers):
                _record_batch(job, batch)
                if progress:
                    progress(job)
        job.status, job.finished_at = ImportJob.Status.DONE, clock.now()
        job.total_rows = max(job.total_rows or 0, job.last_row - 1)
        job.save(update_fields=["status", "finished_at", "total_rows"])
    except Conflict as exc:
        # Another worker owns this job (a resume while the first one still ran): it keeps going, this one stops.
        logger.warning("hotline import %s: %s", job.pk, exc.message)
        job.refresh_from_db()
        return job
    except Exception as exc:
        logger.exception("hotline import %s failed", job.pk)
        message = exc.message if isinstance(exc, DomainError) else f"导入中断:{exc}"
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error=message[:1000])
        job.refresh_from_db()
    if progress:
        progress(job)
    return job


@dataclass(slots=True)
class _Candidate:
    row_number: int
    hotline_number: str
    values: dict[str, Any] | None  # validated case values, or None when refused (then `reason` says why)
    reason: str = ""
    copy_text: tuple[str, str] | None = None  # PostgreSQL: the rows' COPY text, built here rather than by the writer


@dataclass(slots=True)
class _PreparedBatch:
    first_row: int
    last_row: int
    candidates: list[_Candidate]  # rows that parsed, in file order: each claims its hotline number
    rejections: list[Rejection]  # rows that did not parse

    def creating(self) -> frozenset[str]:
        """The hotline numbers this batch may create."""
        return frozenset(candidate.hotline_number for candidate in self.candidates if candidate.values is not None)


class _BatchPreparer:
    """Rows → prepared batches: parsing and the checks of 受理 (cases.services.case_values_bulk), no database."""

    def __init__(self, job: ImportJob, parser: RowParser, gazetteer: Gazetteer,
                 committed: dict[int, ImportBatch] | None = None):
        self.job, self.parser, self.gazetteer = job, parser, gazetteer
        self.first_row = job.last_row + 1
        self.committed = committed or {}
        self.copy_text = connection.vendor == "postgresql"

    def batches(self, rows: Iterator[tuple[int, dict[str, str]]], size: int
                ) -> Iterator[_PreparedBatch | ImportBatch]:
        """The file after the job's position cut into batches of `size` rows, as every run of the job cuts it; a
        batch an earlier run committed (ImportBatch) comes as it is, unparsed."""
        batch: list[tuple[int, dict[str, str]]] = []
        for number, raw in rows:
            if number < self.first_row:
                continue
            batch.append((number, raw))
            if len(batch) >= size:
                yield self._prepared_or_committed(batch)
                batch = []
        if batch:
            yield self._prepared_or_committed(batch)

    def _prepared_or_committed(self, batch: list[tuple[int, dict[str, str]]]) -> _PreparedBatch | ImportBatch:
        committed = self.committed.get(batch[0][0])
        return committed if committed is not None else self.prepare(batch)

    def prepare(self, batch: list[tuple[int, dict[str, str]]]) -> _PreparedBatch:
        now = clock.now()
        parser, rejections = self.parser, []
        parsed: list[tuple[int, dict[str, Any]]] = []
        for number, raw in batch:
            try:
                parsed.append((number, parser.parse(raw, now=now)))
            except ValidationFailed as exc:
                rejections.append(Rejection(job=self.job, row_number=number, reason=exc.message[:300],
                                            hotline_number=parser.value(raw, "hotline_number")[:60]))
        candidates = [_Candidate(number, fields["hotline_number"], None) for number, fields in parsed]
        accepted, refused = case_values_bulk(actor=self.job.created_by, rows=[fields for _, fields in parsed],
                                             gazetteer=self.gazetteer, now=now)
        actor = self.job.created_by
        for index, values in accepted:
            candidate = candidates[index]
            candidate.values = values
            if self.copy_text:
                candidate.copy_text = copy_text(values, actor)
        for index, reason in refused:
            candidates[index].reason = reason
        return _PreparedBatch(batch[0][0], batch[-1][0], candidates, rejections)


_END = object()


@contextlib.contextmanager
def _import_runtime() -> Iterator[None]:
    """Interpreter settings while an import runs, restored afterwards.

    - The objects alive before it (Django, the models, the gazetteer) are kept out of the cyclic collector's full
      passes: an import allocates millions of short-lived objects, and each pass walked all of them again (a fifth
      of the import's Python time).
    - A shorter GIL switch interval (0.5 ms instead of 5): the writer returns from each database round trip to wait
      for the GIL while the reading thread computes; with the default it lost up to 5 ms per query, ~10 % of the
      import's time in small queries (numbering, dedupe, the job's position)."""
    # Both settings are the process's: with imports running side by side (background threads of the web process),
    # the first to start changes them and the last to finish restores them.
    with _runtime_lock:
        if not _runtime_users:
            _runtime_saved.append(sys.getswitchinterval())
            sys.setswitchinterval(0.0005)
        _runtime_users.append(1)
        gc.freeze()
    try:
        yield
    finally:
        with _runtime_lock:
            _runtime_users.pop()
            if not _runtime_users:
                sys.setswitchinterval(_runtime_saved.pop())
                gc.unfreeze()


_runtime_lock = threading.Lock()
_runtime_users: list[int] = []
_runtime_saved: list[float] = []


def read_ahead(items: Iterator[Any], *, depth: int) -> Iterator[Any]:
    """`items`, produced by a thread up to `depth` ahead of the consumer. The thread runs in a copy of the caller's
    context (a frozen clock holds there too); its exception is raised here; closing this generator stops it."""
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[Any, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                queue.put(entry, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
        except BaseException as exc:  # handed to the consumer, which logs it and fails the job
            put((None, exc))
        else:
            put((_END, None))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # the reader's file, now rather than when the generator is collected

    thread = threading.Thread(target=contextvars.copy_context().run, args=(produce,), name="hotline-read-ahead",
                              daemon=True)
    thread.start()
    try:
        while True:
            item, error = queue.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        thread.join()


def _write_in_order(job: ImportJob, batches: Iterator[_PreparedBatch | ImportBatch],
                    writers: int) -> Iterator[ImportBatch]:
    """Each prepared batch committed by one of `writers` connections, up to `writers` at once; their ImportBatch
    rows come back in file order. A hotline number repeated in a later batch while the earlier one is still being
    written is skipped here: the earlier batch's uncommitted cases are invisible to the later one's check."""
    in_flight: deque[tuple[Future, frozenset[str]]] = deque()

    def oldest() -> ImportBatch:
        future, _ = in_flight.popleft()
        if future.exception() is not None:
            for later, _ in in_flight:  # later batches finish (committed or not); a resume finds what committed
                later.exception()
            in_flight.clear()
        return future.result()

    with _Writers(writers) as pool:
        try:
            for batch in batches:
                if isinstance(batch, ImportBatch):  # committed by an earlier run of this job
                    in_flight.append((_done(batch), frozenset()))
                else:
                    writing = frozenset().union(*(numbers for _, numbers in in_flight))
                    in_flight.append((pool.submit(_commit_batch, job, batch, writing), batch.creating()))
                while in_flight and (len(in_flight) > writers or in_flight[0][0].done()):
                    yield oldest()
            while in_flight:
                yield oldest()
        except Exception:
            # Reading failed: the batches before it that were being written still count, in order.
            while in_flight and in_flight[0][0].exception() is None:
                yield in_flight.popleft()[0].result()
            raise
        finally:
            for future, _ in in_flight:
                future.exception()


def _done(batch: ImportBatch) -> Future:
    future: Future = Future()
    future.set_result(batch)
    return future


class _Writers:
    """Threads that each write batches over a database connection of their own. With one writer the batches are
    written in the calling thread, on its connection (and inside its transaction, as tests have it)."""

    def __init__(self, count: int):
        self.queue: Queue = Queue()
        self.threads = [threading.Thread(target=contextvars.copy_context().run, args=(self._work,),
                                         name=f"hotline-writer-{n}", daemon=True) for n in range(count if count > 1 else 0)]

    def __enter__(self) -> _Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        if not self.threads:
            _run_into(future, function, args)
        else:
            self.queue.put((future, function, args))
        return future

    def _work(self) -> None:
        try:
            while (item := self.queue.get()) is not None:
                _run_into(*item)
        finally:
            connections.close_all()  # this thread's connections only: Django's are per thread


def _run_into(future: Future, function: Callable[..., Any], args: tuple) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(function(*args))
    except BaseException as exc:  # handed to the coordinator, which fails the job
        future.set_exception(exc)


def _commit_batch(job: ImportJob, batch: _PreparedBatch, writing: frozenset[str] = frozenset()) -> ImportBatch:
    """One batch: the hotline numbers already imported (or being imported by an earlier batch: `writing`) are
    skipped, the rest numbered and written with the batch's ImportBatch row in one transaction."""
    rejections = list(batch.rejections)
    seen = existing_hotline_numbers([candidate.hotline_number for candidate in batch.candidates]) | writing
    fresh: list[dict[str, Any]] = []
    texts: list[tuple[str, str]] | None = []
    skipped = 0
    for candidate in batch.candidates:
        if candidate.hotline_number in seen:
            skipped += 1  # already imported (or a repeat inside the file): never a second case
            continue
        seen.add(candidate.hotline_number)
        if candidate.values is None:
            rejections.append(Rejection(job=job, row_number=candidate.row_number, reason=candidate.reason[:300],
                                        hotline_number=candidate.hotline_number[:60]))
        else:
            fresh.append(candidate.values)
            if candidate.copy_text is None:
                texts = None
            elif texts is not None:
                texts.append(candidate.copy_text)
    # Numbered before the batch's transaction, so two batches writing side by side do not wait for each other's
    # commit on the counter; a batch that then fails leaves its numbers unused.
    if fresh:
        case_numbers_reserve(actor=job.created_by, accepted=fresh)
    try:
        with transaction.atomic():
            relax_commit_durability()
            try:
                with transaction.atomic():
                    # First, so a second worker on this job waits here for the first one's commit, then stops.
                    committed = ImportBatch.objects.create(
                        job=job, first_row=batch.first_row, last_row=batch.last_row, created_count=len(fresh),
                        skipped_count=skipped, rejected_count=len(rejections), committed_at=clock.now())
            except IntegrityError:
                raise Conflict("该导入任务已由另一个进程继续执行") from None
            case_register_validated(actor=job.created_by, accepted=fresh, copy_texts=texts)
            Rejection.objects.bulk_create(rejections)
    except Exception:
        if fresh:  # the operator's answer to "where is this case number?"
            logger.warning("hotline import %s: the batch from row %s was not committed; case numbers %s … %s reserved "
                           "for it stay unused", job.pk, batch.first_row, fresh[0]["number"], fresh[-1]["number"])
        raise
    return committed


def _record_batch(job: ImportJob, batch: ImportBatch) -> None:
    """The job's position and counts after its next batch in file order (committed just now or by an earlier run).
    Written after the batch's own commit: a crash in between leaves the job behind its batches, and the resume
    counts the committed batches it finds instead of writing them again."""
    job.last_row = batch.last_row
    job.created_count += batch.created_count
    job.skipped_count += batch.skipped_count
    job.rejected_count += batch.rejected_count
    job.heartbeat_at = clock.now()
    with transaction.atomic():
        relax_commit_durability()  # lost in a crash, the position is recounted from the ImportBatch rows
        job.save(update_fields=["last_row", "created_count", "skipped_count", "rejected_count", "heartbeat_at"])


def rejections_workbook(job: ImportJob):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("未导入的行")
    append_row(sheet, ["行号", "工单编号", "原因"])
    for rejection in job.rejections.iterator():
        append_row(sheet, [rejection.row_number, rejection.hotline_number, rejection.reason])
    return workbook


EXPORT_HEADER = ["工单编号", "平台工单号", "处置单位", "受理时间", "派单时间", "办结时间", "办结回复", "回访时间",
                 "满意度", "是否解决", "是否先行联系", "状态"]


def export_rows(*, start: date, end: date, actor: User | None = None):
    """The replies the hotline expects back: cases of source 12345 handled (办结) in [start, end]. The handling result
    is written as `actor` may read it (masked for the 管理员; None: as the hotline receives it)."""
    from cases.policy import CaseMasker

    tz = timezone.get_current_timezone()
    cases = (Case.objects.filter(source=Source.HOTLINE, handled_at__gte=datetime.combine(start, time.min, tz),
                                 handled_at__lte=datetime.combine(end, time.max, tz))
             .select_related("lead_department").order_by("handled_at"))

    def fmt(moment):
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

    def yes_no(value):
        return "" if value is None else ("是" if value else "否")

    for case in cases.iterator():
        yield [case.hotline_number, case.number, case.lead_department.name if case.lead_department_id else "",
               fmt(case.registered_at), fmt(case.dispatched_at), fmt(case.handled_at),
               CaseMasker(actor, case)(case.handling_result) if actor is not None else case.handling_result,
               fmt(case.called_back_at), case.get_satisfaction_display() if case.satisfaction else "",
               yes_no(case.solved), yes_no(case.first_contact_confirmed), case.get_state_display()]


def export_workbook(*, start: date, end: date, actor: User | None = None):
    from openpyxl import Workbook

    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("12345回复")
    append_row(sheet, EXPORT_HEADER)
    for row in export_rows(start=start, end=end, actor=actor):
        append_row(sheet, row)
    return workbook
