"""Answers of one form version as an Excel workbook: one sheet of submissions with a column per question labelled in
Chinese (a select_multiple as its labels joined by "、" plus one 0/1 column per choice), each repeat on its own sheet
keyed by the submission's instance id. Rows the reader's scope holds only; text answers and the household address
masked for the masked roles (questionnaires/results_policy.py); every cell through core.excel; the export audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_record
from core.excel import append_row
from org.models import User

from .models import FormVersion, Submission
from .results_policy import reader_policy, visible_submissions

SKIPPED_TYPES = {"note", "group", "repeat", "start", "end", "deviceid", "username"}
TEXT_TYPES = {"text"}
EXPORT_LIMIT = 50000
SHEET_TITLE_MAX = 31


@dataclass
class Question:
    name: str
    label: str
    type: str
    choices: list[dict]
    repeat: str = ""  # the repeat it sits in, "" for the main sheet


def questions(spec: dict) -> list[Question]:
    """The answerable questions in form order, groups flattened, repeats' questions marked with their repeat."""
    found: list[Question] = []

    def walk(nodes: list[dict], repeat: str) -> None:
        for node in nodes:
            kind = node.get("type", "")
            if kind == "group":
                walk(node.get("children", []), repeat)
            elif kind == "repeat":
                walk(node.get("children", []), node.get("name", ""))
            elif kind not in SKIPPED_TYPES:
                found.append(Question(name=node.get("name", ""), label=node.get("label") or node.get("name", ""),
                                      type=kind, choices=node.get("choices") or [], repeat=repeat))

    walk(spec.get("questions", []), "")
    return found


def repeats(spec: dict) -> list[tuple[str, str]]:
    """(name, label) of every repeat in the form."""
    found: list[tuple[str, str]] = []

    def walk(nodes: list[dict]) -> None:
        for node in nodes:
            if node.get("type") == "repeat":
                found.append((node.get("name", ""), node.get("label") or node.get("name", "")))
            if node.get("type") in ("group", "repeat"):
                walk(node.get("children", []))

    walk(spec.get("questions", []))
    return found


def choice_label(question: Question, value: Any) -> str:
    for choice in question.choices:
        if str(choice.get("name")) == str(value):
            return choice.get("label") or str(value)
    return "" if value is None else str(value)


def selected(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value).split()


def header(qs: list[Question]) -> list[str]:
    cells: list[str] = []
    for q in qs:
        cells.append(q.label)
        if q.type == "select_multiple":
            cells += [f"{q.label}/{c.get('label') or c.get('name')}" for c in q.choices]
    return cells


def answer_cells(qs: list[Question], data: dict, masker, *, names: tuple[str, ...] = ()) -> list[Any]:
    cells: list[Any] = []
    for q in qs:
        value = data.get(q.name)
        if q.type == "select_one":
            cells.append(choice_label(q, value) if value not in (None, "") else "")
        elif q.type == "select_multiple":
            chosen = selected(value)
            cells.append("、".join(choice_label(q, v) for v in chosen))
            cells += [1 if str(c.get("name")) in chosen else 0 for c in q.choices]
        elif q.type in TEXT_TYPES:
            cells.append(masker.text(value, names=names) if value not in (None, "") else "")
        elif q.type in ("integer", "decimal") and value not in (None, ""):
            try:
                cells.append(int(value) if q.type == "integer" else float(value))
            except (TypeError, ValueError):
                cells.append(str(value))
        else:
            cells.append("" if value is None else value if isinstance(value, (int, float)) else str(value))
    return cells


def version_submissions(user: User, version: FormVersion) -> QuerySet[Submission]:
    """The version's current answers (a superseded one gives way to its correction) in the reader's scope."""
    rows = Submission.objects.filter(form_version=version, superseded_by__isnull=True)
    return visible_submissions(user, rows).select_related("household", "neighbourhood", "person").order_by(
        "received_at", "pk")


def _title(text: str, used: set[str]) -> str:
    title = "".join(ch for ch in text if ch not in "[]:*?/\\")[:SHEET_TITLE_MAX] or "重复组"
    base, n = title, 2
    while title in used:
        title = f"{base[:SHEET_TITLE_MAX - 3]}-{n}"
        n += 1
    used.add(title)
    return title


def version_workbook(user: User, version: FormVersion, request=None):
    """The workbook (openpyxl, write-only) of one version's answers as `user` may read them; audited."""
    from openpyxl import Workbook

    policy = reader_policy()
    masker = policy.masker_for(user)
    spec = version.spec or {}
    all_questions = questions(spec)
    main = [q for q in all_questions if not q.repeat]
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    sheet = workbook.create_sheet(_title("答卷", used))
    append_row(sheet, ["实例编号", "收到时间", "填写方式", "居民区", "户地址", *header(main)])
    repeat_sheets = {}
    for name, label in repeats(spec):
        rq = [q for q in all_questions if q.repeat == name]
        repeat_sheet = workbook.create_sheet(_title(label, used))
        append_row(repeat_sheet, ["实例编号", "序号", *header(rq)])
        repeat_sheets[name] = (repeat_sheet, rq)
    ids: list[int] = []
    for submission in version_submissions(user, version)[:EXPORT_LIMIT].iterator(chunk_size=1000):
        ids.append(submission.pk)
        data = submission.data or {}
        names = (submission.person.name,) if submission.person_id else ()
        address = submission.household.address if submission.household_id else ""
        append_row(sheet, [
            submission.instance_id, timezone.localtime(submission.received_at).replace(tzinfo=None),
            submission.get_channel_display(), submission.neighbourhood.name if submission.neighbourhood_id else "",
            masker.address(address) if address else "", *answer_cells(main, data, masker, names=names)])
        for name, (repeat_sheet, rq) in repeat_sheets.items():
            for index, item in enumerate(data.get(name) or [], start=1):
                if isinstance(item, dict):
                    append_row(repeat_sheet, [submission.instance_id, index,
                                              *answer_cells(rq, item, masker, names=names)])
    audit_record(action=AuditEntry.Action.EXPORT, actor=user, request=request, object_type="questionnaires.FormVersion",
                 object_id=version.pk, detail={"what": f"{version} 答卷导出", "count": len(ids),
                                               "masked": bool(masker.masked)})
    policy.audit_clear_view(user, request, object_type="questionnaires.Submission", ids=ids,
                            what=f"{version} 答卷导出")
    return workbook
