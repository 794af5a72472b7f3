"""The import's batch machinery: rows cut into batches, prepared in a reading thread, committed by writer connections.

A crash keeps every committed batch, never half a row, and a re-run (or a re-import of the same file) skips what is
already there: the hotline number is the key. The job's status around a run is hotline.services.jobs'."""

from __future__ import annotations

import contextlib
import contextvars
import gc
import logging
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from queue import Full, Queue
from typing import Any

from django.db import IntegrityError, connection, connections, transaction

from cases.services import case_numbers_reserve, case_register_validated, case_values_bulk
from cases.services.bulk import copy_text, existing_hotline_numbers, relax_commit_durability
from core import clock
from core.errors import Conflict, ValidationFailed
from core.tabular import read_rows
from org.selectors import Gazetteer

from ..models import ImportBatch, ImportJob, Rejection
from .parsing import RowParser

logger = logging.getLogger(__name__)
BATCH_SIZE = 2000  # rows per transaction: one COPY of cases and one of events each


def write_batches(job: ImportJob, *, writers: int, progress: Callable[[ImportJob], None] | None = None) -> None:
    """The job's batches not committed yet, from its position to the end of the file, each batch one transaction.

    A thread reads, parses and checks the rows (pure Python, no database) ahead of the writes; `writers`
    connections write batches side by side: deduplication, numbering, COPY, the batch's ImportBatch row and the
    commit. The job's position and counts follow the batches in file order."""
    actor = job.created_by
    if actor.grid_id:
        actor.grid.neighbourhood  # noqa: B018 — fetched here, so checking rows in the thread needs no query
    committed = {batch.first_row: batch for batch in job.batches.filter(first_row__gt=job.last_row)}
    prepare = BatchPreparer(job, RowParser(job.profile), Gazetteer.load(), committed=committed)
    _, rows = read_rows(Path(job.file.path))
    with import_runtime(), contextlib.closing(read_ahead(prepare.batches(rows, job.batch_size),
                                                         depth=writers + 1)) as batches:
        for batch in write_in_order(job, batches, writers):
            record_batch(job, batch)
            if progress:
                progress(job)


@dataclass(slots=True)
class _Candidate:
    row_number: int
    hotline_number: str
    values: dict[str, Any] | None  # validated case values, or None when refused (then `reason` says why)
    reason: str = ""
    raw: dict[str, str] | None = None  # the row as read, for the rejected-rows workbook if it is refused
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


class BatchPreparer:
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
                                            hotline_number=parser.value(raw, "hotline_number")[:60], data=raw))
        raws = dict(batch)
        candidates = [_Candidate(number, fields["hotline_number"], None, raw=raws[number]) for number, fields in parsed]
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
def import_runtime() -> Iterator[None]:
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


def write_in_order(job: ImportJob, batches: Iterator[_PreparedBatch | ImportBatch],
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
                    in_flight.append((pool.submit(commit_batch, job, batch, writing), batch.creating()))
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


def commit_batch(job: ImportJob, batch: _PreparedBatch, writing: frozenset[str] = frozenset()) -> ImportBatch:
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
                                        hotline_number=candidate.hotline_number[:60], data=candidate.raw or {}))
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


def record_batch(job: ImportJob, batch: ImportBatch) -> None:
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
