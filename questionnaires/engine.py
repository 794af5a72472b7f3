"""The server's form engine: a submission's answers checked against its version's spec, nothing taken on trust.

`validate(spec, data, today=…)` types every answer by its question (integer, decimal, date, time, geopoint
"lat lon", select values among the choices that pass the choice_filter, select_multiple lists), drops what is not
relevant (a group's relevance applies to its children, a repeat's to all its instances), recomputes every
calculation (the browser's are ignored), and checks required (required_message or 此题必答) and constraint
(constraint_message or 答案不符合要求). The browser runs the same walk (static/js/xlsform.js `checkForm`), so a
cadre sees the message before sending; the server's answer is the one that counts.

Answers are Submission.data's shape: {name: value} for questions outside repeats (groups flattened) and
{repeat: [{child: value}, …]}. Error paths: "name" and "repeat[i].child" (i from 0), the same on both sides.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from .expressions import Context, evaluate, to_boolean, to_string, truth

REQUIRED = "此题必答"
CONSTRAINT = "答案不符合要求"
INPUT = {"text", "integer", "decimal", "date", "time", "datetime", "select_one", "select_multiple", "geopoint",
         "image"}
META = {"start", "end", "today", "deviceid", "username"}
MAX_REPEATS = 200
MAX_TEXT = 10_000
_INTEGER = re.compile(r"^\s*-?\d+\s*$")
_DECIMAL = re.compile(r"^\s*-?(\d+(\.\d*)?|\.\d+)\s*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2}))?$")


@dataclass
class Checked:
    cleaned_data: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def coerce(node: dict[str, Any], value: Any) -> tuple[Any, str]:
    """(typed value, '' or the Chinese reason it is not one). An empty answer is '' with no reason."""
    kind = node["type"]
    if _empty(value):
        return "", ""
    if kind == "select_multiple":
        items = value.split() if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
            return "", "多选题的答案格式不对"
        return list(dict.fromkeys(items)), ""
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        return "", "答案格式不对"
    if kind == "integer":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) or (isinstance(value, str) and _INTEGER.match(value)):
            number = int(value)
            return (number, "") if abs(number) < 10**12 else ("", "数值超出范围")
        return "", "请填写整数"
    if kind == "decimal":
        if isinstance(value, (int, float)) or (isinstance(value, str) and _DECIMAL.match(value)):
            number = float(value)
            return (number, "") if math.isfinite(number) and abs(number) < 1e15 else ("", "数值超出范围")
        return "", "请填写数字"
    text = str(value) if isinstance(value, (int, float)) else value
    if not isinstance(text, str):
        return "", "答案格式不对"
    if kind == "date":
        try:
            if not _DATE.match(text):
                raise ValueError
            dt.date.fromisoformat(text)
        except ValueError:
            return "", "日期格式应为 年-月-日"
        return text, ""
    if kind == "time":
        match = _TIME.match(text)
        if not match or int(match[1]) > 23 or int(match[2]) > 59 or int(match[3] or 0) > 59:
            return "", "时间格式应为 时:分"
        return f"{match[1]}:{match[2]}", ""
    if kind == "datetime":
        try:
            dt.datetime.fromisoformat(text)
        except ValueError:
            return "", "日期时间格式不对"
        return text, ""
    if kind == "geopoint":
        parts = text.split()
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            numbers = []
        if len(numbers) not in (2, 3, 4) or not all(math.isfinite(n) for n in numbers) or not (
                -90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180):
            return "", "位置应为“纬度 经度”,纬度在 -90 到 90 之间,经度在 -180 到 180 之间"
        return " ".join(parts), ""
    if kind == "image":
        if len(text) > 200 or "/" in text or "\\" in text:
            return "", "照片文件名不对"
        return text, ""
    if len(text) > MAX_TEXT:
        return "", f"文字不能超过 {MAX_TEXT} 字"
    return text, ""


def calculated(value: Any) -> Any:
    """A calculation's result as stored: numbers as numbers (integral ones as int), NaN as empty, the rest strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    return to_string(value)


def path_of(name: str, instance: tuple[str, int] | None) -> str:
    return name if instance is None else f"{instance[0]}[{instance[1]}].{name}"


def labels_of(spec: dict[str, Any]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for node in walk_nodes(spec["questions"]):
        if node.get("choices"):
            found[node["name"]] = {c["name"]: c["label"] for c in node["choices"]}
    return found


def walk_nodes(nodes: list[dict[str, Any]]):
    for node in nodes:
        yield node
        if node.get("children"):
            yield from walk_nodes(node["children"])


class _Run:
    def __init__(self, spec: dict[str, Any], data: dict[str, Any], today: str):
        self.spec = spec
        self.today = today
        self.labels = labels_of(spec)
        self.type_errors: dict[str, str] = {}
        self.answers: dict[str, Any] = {}
        self.relevant: dict[str, bool] = {}
        self._load(spec["questions"], data if isinstance(data, dict) else {}, self.answers, None)
        self.raw = copy.deepcopy(self.answers)
        self.calcs: dict[tuple, Any] = {}

    # -- typing the raw answers -----------------------------------------------------------------------------------
    def _load(self, nodes, raw: dict[str, Any], into: dict[str, Any], instance) -> None:
        for node in nodes:
            kind, name = node["type"], node["name"]
            if kind == "group":
                self._load(node["children"], raw, into, instance)
            elif kind == "repeat":
                items = raw.get(name) or []
                if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                    self.type_errors[name] = "重复组的答案格式不对"
                    items = []
                if len(items) > MAX_REPEATS:
                    self.type_errors[name] = f"重复组最多 {MAX_REPEATS} 项"
                    items = items[:MAX_REPEATS]
                into[name] = []
                for index, item in enumerate(items):
                    child: dict[str, Any] = {}
                    into[name].append(child)
                    self._load(node["children"], item, child, (name, index))
            elif kind in INPUT:
                value, reason = coerce(node, raw.get(name))
                if reason:
                    self.type_errors[path_of(name, instance)] = reason
                into[name] = value
            elif kind == "calculate":
                into[name] = ""
            elif kind == "today":
                into[name] = self.today

    def context(self, instance, current: Any = "", choice: dict | None = None) -> Context:
        return Context(answers=self.answers, current=current, instance=instance, choice=choice, today=self.today,
                       labels=self.labels)

    def _slot(self, instance) -> dict[str, Any]:
        return self.answers if instance is None else self.answers[instance[0]][instance[1]]

    # -- relevance and calculations, until nothing changes -------------------------------------------------------------
    def settle(self) -> None:
        """Each pass starts again from the typed answers (so a value hidden by an earlier pass comes back when its
        question turns relevant), with the previous pass's calculations, until the calculations stop changing."""
        for _ in range(4):
            before = dict(self.calcs)
            self.answers = copy.deepcopy(self.raw)
            for (instance, name), value in before.items():
                self._slot(instance)[name] = value
            self.relevant, self.calcs = {}, {}
            self._settle(self.spec["questions"], None, True)
            if self.calcs == before:
                break

    def _clear(self, node, instance) -> None:
        slot = self._slot(instance)
        if node["type"] == "group":
            for child in node["children"]:
                self._clear(child, instance)
        elif node["type"] == "repeat":
            slot[node["name"]] = []
        elif node["name"] in slot:
            slot[node["name"]] = ""

    def _settle(self, nodes, instance, parent_relevant: bool) -> None:
        for node in nodes:
            kind, name = node["type"], node["name"]
            here = parent_relevant and (not node.get("relevant") or truth(node["relevant"], self.context(instance)))
            self.relevant[path_of(name, instance)] = here
            if not here:
                self._clear(node, instance)
                continue
            if kind == "group":
                self._settle(node["children"], instance, True)
            elif kind == "repeat":
                for index in range(len(self.answers.get(name) or [])):
                    self._settle(node["children"], (name, index), True)
            elif kind == "calculate" and node.get("calculation"):
                value = calculated(evaluate(node["calculation"], self.context(instance)))
                self._slot(instance)[name] = value
                self.calcs[instance, name] = value

    # -- the checks ----------------------------------------------------------------------------------------------
    def allowed_choices(self, node, instance) -> list[str]:
        choices = node.get("choices") or []
        if not node.get("choice_filter"):
            return [c["name"] for c in choices]
        return [c["name"] for c in choices
                if truth(node["choice_filter"], self.context(instance, choice=c))]

    def check(self, nodes, instance, errors: dict[str, str], cleaned: dict[str, Any]) -> None:
        for node in nodes:
            kind, name = node["type"], node["name"]
            path = path_of(name, instance)
            if not self.relevant.get(path, False):
                continue
            if kind == "group":
                self.check(node["children"], instance, errors, cleaned)
                continue
            if kind == "repeat":
                cleaned[name] = []
                for index in range(len(self.answers.get(name) or [])):
                    child: dict[str, Any] = {}
                    self.check(node["children"], (name, index), errors, child)
                    cleaned[name].append(child)
                if path in self.type_errors:
                    errors[path] = self.type_errors[path]
                continue
            value = self._slot(instance).get(name, "")
            if kind in ("calculate", "today"):
                if not _empty(value):
                    cleaned[name] = value
                continue
            if kind not in INPUT:
                continue
            if path in self.type_errors:
                errors[path] = self.type_errors[path]
                continue
            if _empty(value):
                required = node.get("required") or (
                    node.get("required_expr") and truth(node["required_expr"], self.context(instance)))
                if required:
                    errors[path] = node.get("required_message") or REQUIRED
                continue
            if kind in ("select_one", "select_multiple"):
                allowed = self.allowed_choices(node, instance)
                chosen = value if isinstance(value, list) else [value]
                wrong = [v for v in chosen if v not in allowed]
                if wrong:
                    errors[path] = f"选项“{wrong[0]}”不在可选范围内"
                    continue
            if node.get("constraint") and not to_boolean(
                    evaluate(node["constraint"], self.context(instance, current=value))):
                errors[path] = node.get("constraint_message") or CONSTRAINT
                continue
            cleaned[name] = value


def validate(spec: dict[str, Any], data: dict[str, Any], *, today: dt.date | str) -> Checked:
    """The answers as stored (relevant ones only, typed, calculations recomputed) and the errors by path."""
    run = _Run(spec, data, today if isinstance(today, str) else today.isoformat())
    run.settle()
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    run.check(spec["questions"], None, errors, cleaned)
    return Checked(cleaned_data=cleaned, errors=errors)
