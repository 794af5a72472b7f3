"""The ODK expression language of our XLSForms, as the server evaluates it (the browser's twin: static/js/xlsform.js).

One small language, implemented twice with the same grammar and the same semantics, both checked against ONE corpus
(questionnaires/conformance.json: expression, answers, current value, expected result) — in pytest here and in
Chromium for the JS (questionnaires/tests/test_conformance.py, chengyun/tests/browser/test_qform_in_browser.py).
A hand-written recursive-descent parser on both sides (not lark here and something else there) so the two read
line by line alike.

Grammar (XPath 1.0 precedence, lowest first):
    or  →  and ('or' and)*          and →  eq ('and' eq)*
    eq  →  rel (('=' | '!=') rel)*  rel →  add (('<' | '<=' | '>' | '>=') add)*
    add →  mul (('+' | '-') mul)*   mul →  unary (('*' | 'div' | 'mod') unary)*
    unary → '-' unary | primary
    primary → number | 'string' | "string" | ${name} | '.' | name '(' args ')' | '(' or ')' | name
A bare `name` (no parentheses) is a column of the choices sheet and is allowed only in a choice_filter.

Semantics:
- Values are strings, numbers (floats) and booleans. An unanswered question is '' (empty = ''). A select_multiple
  answer is its choice names joined by spaces (as ODK keeps it); `selected()` and friends split it.
- `${name}` is the answer to `name`. Inside a repeat, `${sibling}` is the same instance's value; from outside a
  repeat, `${child}` of a repeat is the list of that child's values over all instances, and `${repeat}` the list of
  instances — what count() and sum() take; elsewhere a list reads as its first value.
- `.` is the current question's value (in a constraint, the answer being checked).
- Comparisons: a boolean side makes both booleans; when both sides are numeric (numbers or numeric strings) they
  compare as numbers; dates 'YYYY-MM-DD' compare as dates (days since 1970-01-01, so a date also compares with a
  number of days); otherwise = and != compare strings, and < <= > >= compare numbers (a non-number is NaN: false).
- Arithmetic converts to numbers: a numeric string is its number, a date its day number, true 1, false 0, anything
  else NaN. `div` by zero gives ±Infinity (NaN for 0 div 0); `mod` keeps the dividend's sign. Unary minus negates.
- To boolean: a number is true unless 0 or NaN, a string unless empty, a list unless empty.
- To string: an integral number without '.0' ("3"), NaN "NaN", infinities "Infinity"/"-Infinity".
- Functions: selected(list, name), count-selected(list), selected-at(list, i) (0-based, '' past the end),
  jr:choice-name(name, '${question}') (the choice's label when the context knows the labels, else the name),
  string-length, concat(…) (a list argument adds all its values), if(cond, a, b), true(), false(), not(x),
  number, int (towards zero), round(x[, digits]) (half away from zero), string, today(), now() (the context's
  clock), coalesce(a, b), regex(s, pattern) (search), contains, starts-with, ends-with, substr(s, start[, end])
  (0-based, end exclusive), count(list), sum(list), date(x) (a day number or a date string → 'YYYY-MM-DD', '' if
  not a date).
An expression that does not parse, or names a function not listed, raises ExpressionError — at load time
(questionnaires/xlsform.py refuses the form with its sheet and row), never at fill time.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

ARITY: dict[str, tuple[int, int | None]] = {
    "selected": (2, 2), "count-selected": (1, 1), "selected-at": (2, 2), "jr:choice-name": (2, 2),
    "string-length": (1, 1), "concat": (0, None), "if": (3, 3), "true": (0, 0), "false": (0, 0), "not": (1, 1),
    "number": (1, 1), "int": (1, 1), "round": (1, 2), "string": (1, 1), "today": (0, 0), "now": (0, 0),
    "coalesce": (2, 2), "regex": (2, 2), "contains": (2, 2), "starts-with": (2, 2), "ends-with": (2, 2),
    "substr": (2, 3), "count": (1, 1), "sum": (1, 1), "date": (1, 1),
}
FUNCTIONS = frozenset(ARITY)
KEYWORDS = {"and", "or", "div", "mod"}
_NUMBER = re.compile(r"^\s*-?(\d+(\.\d*)?|\.\d+)\s*$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TOKEN = re.compile(r"""\s*(?:
    (?P<ref>\$\{(?P<refname>[A-Za-z_][A-Za-z0-9_.\-]*)\})
  | (?P<num>\d+(?:\.\d*)?|\.\d+)
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<op><=|>=|!=|[=<>+\-*(),.])
  | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z_][A-Za-z0-9_\-]*)?)
)""", re.VERBOSE)


class ExpressionError(ValueError):
    """The expression cannot be used: the message says why, in Chinese."""


# --- parsing -------------------------------------------------------------------------------------------------------


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text or ""
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(f"无法识别“{text[position:].strip()[:20]}”")
        position = match.end()
        if match["ref"]:
            tokens.append(("ref", match["refname"]))
        elif match["num"]:
            tokens.append(("num", match["num"]))
        elif match["str"]:
            tokens.append(("str", match["str"][1:-1]))
        elif match["op"]:
            tokens.append(("op", match["op"]))
        else:
            word = match["name"]
            tokens.append(("op", word) if word in KEYWORDS else ("name", word))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take_op(self, *ops: str) -> str | None:
        token = self.peek()
        if token and token[0] == "op" and token[1] in ops:
            self.at += 1
            return token[1]
        return None

    def expect(self, op: str) -> None:
        if not self.take_op(op):
            token = self.peek()
            raise ExpressionError(f"此处应为“{op}”,实际是“{token[1] if token else '表达式结尾'}”")

    def parse(self) -> tuple:
        if not self.tokens:
            raise ExpressionError("表达式为空")
        node = self.binary(0)
        if self.peek() is not None:
            raise ExpressionError(f"多余的“{self.peek()[1]}”")
        return node

    LEVELS = (("or",), ("and",), ("=", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "div", "mod"))

    def binary(self, level: int) -> tuple:
        if level == len(self.LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while (op := self.take_op(*self.LEVELS[level])) is not None:
            node = ("bin", op, node, self.binary(level + 1))
        return node

    def unary(self) -> tuple:
        if self.take_op("-"):
            return ("neg", self.unary())
        return self.primary()

    def primary(self) -> tuple:
        token = self.peek()
        if token is None:
            raise ExpressionError("表达式不完整")
        kind, value = token
        self.at += 1
        if kind == "num":
            return ("lit", float(value))
        if kind == "str":
            return ("lit", value)
        if kind == "ref":
            return ("ref", value)
        if kind == "op" and value == ".":
            return ("cur",)
        if kind == "op" and value == "(":
            node = self.binary(0)
            self.expect(")")
            return node
        if kind == "name":
            if self.take_op("("):
                return self.call(value)
            return ("col", value)
        raise ExpressionError(f"此处不应出现“{value}”")

    def call(self, name: str) -> tuple:
        if name not in FUNCTIONS:
            raise ExpressionError(f"不支持的函数 {name}()")
        args: list[tuple] = []
        if not self.take_op(")"):
            args.append(self.binary(0))
            while self.take_op(","):
                args.append(self.binary(0))
            self.expect(")")
        low, high = ARITY[name]
        if len(args) < low or (high is not None and len(args) > high):
            raise ExpressionError(f"函数 {name}() 的参数个数不对")
        return ("call", name, args)


_cache: dict[str, tuple] = {}


def parse(text: str) -> tuple:
    """The expression's tree; ExpressionError if it is not one this language takes."""
    if text not in _cache:
        _cache[text] = _Parser(text).parse()
    return _cache[text]


def _walk(node: tuple):
    yield node
    if node[0] == "bin":
        yield from _walk(node[2])
        yield from _walk(node[3])
    elif node[0] == "neg":
        yield from _walk(node[1])
    elif node[0] == "call":
        for arg in node[2]:
            yield from _walk(arg)


def check(text: str, *, names: set[str] | None = None, columns_allowed: bool = False) -> None:
    """Parse, and check that every ${name} is a question of the form and bare names appear only in choice filters."""
    tree = parse(text)
    for node in _walk(tree):
        if node[0] == "col" and not columns_allowed:
            raise ExpressionError(f"无法识别的名称“{node[1]}”(题目请写作 ${{{node[1]}}})")
        if node[0] == "ref" and names is not None and node[1] not in names:
            raise ExpressionError(f"引用了不存在的题目 ${{{node[1]}}}")


def references(text: str) -> set[str]:
    return {node[1] for node in _walk(parse(text)) if node[0] == "ref"}


# --- the context -----------------------------------------------------------------------------------------------------


@dataclass
class Context:
    """What an expression sees: the answers (Submission.data's shape: repeats are lists of dicts), the current value,
    the repeat instance being evaluated (name, index), a choice's columns (choice_filter) and the clock."""

    answers: dict[str, Any]
    current: Any = ""
    instance: tuple[str, int] | None = None
    choice: dict[str, Any] | None = None
    today: str = ""
    now: str = ""
    labels: dict[str, dict[str, str]] = field(default_factory=dict)


class NodeList(list):
    """The values of a repeat child, or the instances of a repeat, seen from outside it."""


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list) and all(not isinstance(v, dict) for v in value):
        return " ".join(str(v) for v in value)
    return value


def _lookup(name: str, ctx: Context) -> Any:
    answers = ctx.answers
    if ctx.instance is not None:
        repeat, index = ctx.instance
        instances = answers.get(repeat) or []
        if 0 <= index < len(instances) and name in instances[index]:
            return _plain(instances[index][name])
    if name in answers:
        value = answers[name]
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return NodeList(value)
        if isinstance(value, list) and not value and ctx.instance is None:
            return ""
        return _plain(value)
    for value in answers.values():  # a child of a repeat, seen from outside it: the list of its values
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            if any(name in v for v in value):
                return NodeList(_plain(v.get(name, "")) for v in value)
    return ""


# --- conversions -----------------------------------------------------------------------------------------------------


def _first(value: Any) -> Any:
    if isinstance(value, NodeList):
        if not value:
            return ""
        head = value[0]
        return "" if isinstance(head, dict) else head
    return value


def day_number(text: str) -> float | None:
    match = _DATE.match(text)
    if not match:
        return None
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return float((day - dt.date(1970, 1, 1)).days)


def to_number(value: Any) -> float:
    value = _first(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value)
    if _NUMBER.match(text):
        return float(text.strip())
    days = day_number(text.strip())
    return days if days is not None else math.nan


def to_string(value: Any) -> str:
    value = _first(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        if number == int(number) and abs(number) < 1e21:
            return str(int(number))
        return repr(number)
    return str(value)


def to_boolean(value: Any) -> bool:
    if isinstance(value, NodeList):
        return len(value) > 0
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return not (value == 0 or math.isnan(value))
    return str(value) != ""


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) or (
        isinstance(value, str) and bool(_NUMBER.match(value)))


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and day_number(value) is not None


def _compare(op: str, left: Any, right: Any) -> bool:
    left, right = _first(left), _first(right)
    if isinstance(left, bool) or isinstance(right, bool):
        if op in ("=", "!="):
            same = to_boolean(left) == to_boolean(right)
            return same if op == "=" else not same
        a, b = to_number(to_boolean(left)), to_number(to_boolean(right))
    elif (_numeric(left) or _is_date(left)) and (_numeric(right) or _is_date(right)):
        a, b = to_number(left), to_number(right)
    elif op in ("=", "!="):
        same = to_string(left) == to_string(right)
        return same if op == "=" else not same
    else:
        a, b = to_number(left), to_number(right)
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    if math.isnan(a) or math.isnan(b):
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _arith(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1, b)
        return a / b
    if b == 0 or math.isnan(a) or math.isnan(b) or math.isinf(a):
        return math.nan
    return math.fmod(a, b)


def _round(number: float, digits: float) -> float:
    if math.isnan(number) or math.isinf(number) or math.isnan(digits):
        return number
    scale = 10.0 ** int(digits)
    return math.copysign(math.floor(abs(number) * scale + 0.5) / scale, number)


def _date_text(value: Any) -> str:
    value = _first(value)
    if isinstance(value, str) and day_number(value.strip()[:10]) is not None:
        return value.strip()[:10]
    number = to_number(value)
    if math.isnan(number) or math.isinf(number) or abs(number) > 2_900_000:
        return ""
    return (dt.date(1970, 1, 1) + dt.timedelta(days=math.floor(number))).isoformat()


def _tokens(value: Any) -> list[str]:
    return to_string(value).split()


# --- evaluation ------------------------------------------------------------------------------------------------------


def _call(name: str, args: list[tuple], ctx: Context) -> Any:
    if name == "if":
        return _eval(args[1], ctx) if to_boolean(_eval(args[0], ctx)) else _eval(args[2], ctx)
    values = [_eval(arg, ctx) for arg in args]
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "not":
        return not to_boolean(values[0])
    if name == "selected":
        return to_string(values[1]).strip() in _tokens(values[0])
    if name == "count-selected":
        return float(len(_tokens(values[0])))
    if name == "selected-at":
        tokens, index = _tokens(values[0]), to_number(values[1])
        return tokens[int(index)] if not math.isnan(index) and 0 <= int(index) < len(tokens) else ""
    if name == "jr:choice-name":
        question = to_string(values[1]).strip()
        if question.startswith("${") and question.endswith("}"):
            question = question[2:-1]
        chosen = to_string(values[0])
        return ctx.labels.get(question, {}).get(chosen, chosen)
    if name == "string-length":
        return float(len(to_string(values[0])))
    if name == "concat":
        parts = []
        for value in values:
            parts.extend(to_string(v) for v in value) if isinstance(value, NodeList) else parts.append(
                to_string(value))
        return "".join(parts)
    if name == "number":
        return to_number(values[0])
    if name == "int":
        number = to_number(values[0])
        return number if math.isnan(number) or math.isinf(number) else float(math.trunc(number))
    if name == "round":
        return _round(to_number(values[0]), to_number(values[1]) if len(values) > 1 else 0.0)
    if name == "string":
        return to_string(values[0])
    if name == "today":
        return ctx.today or dt.date.today().isoformat()
    if name == "now":
        return ctx.now or f"{ctx.today or dt.date.today().isoformat()}T00:00:00"
    if name == "coalesce":
        first = to_string(values[0])
        return first if first != "" else to_string(values[1])
    if name == "regex":
        try:
            return re.search(to_string(values[1]), to_string(values[0])) is not None
        except re.error:
            return False
    if name == "contains":
        return to_string(values[1]) in to_string(values[0])
    if name == "starts-with":
        return to_string(values[0]).startswith(to_string(values[1]))
    if name == "ends-with":
        return to_string(values[0]).endswith(to_string(values[1]))
    if name == "substr":
        text = to_string(values[0])
        start = to_number(values[1])
        end = to_number(values[2]) if len(values) > 2 else float(len(text))
        if math.isnan(start) or math.isnan(end):
            return ""
        start_i, end_i = max(0, int(start)), min(len(text), int(end))
        return text[start_i:end_i] if end_i > start_i else ""
    if name == "count":
        value = values[0]
        if isinstance(value, NodeList):
            return float(len(value))
        return 0.0 if value == "" else 1.0
    if name == "sum":
        value = values[0]
        items = list(value) if isinstance(value, NodeList) else ([] if value == "" else [value])
        return float(sum(to_number(v) for v in items if not isinstance(v, dict)))
    if name == "date":
        return _date_text(values[0])
    raise ExpressionError(f"不支持的函数 {name}()")  # parse() already refused it


def _eval(node: tuple, ctx: Context) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "ref":
        return _lookup(node[1], ctx)
    if kind == "cur":
        return _plain(ctx.current)
    if kind == "col":
        return "" if ctx.choice is None else _plain(ctx.choice.get(node[1], ""))
    if kind == "neg":
        return -to_number(_eval(node[1], ctx))
    if kind == "call":
        return _call(node[1], node[2], ctx)
    op, left, right = node[1], node[2], node[3]
    if op == "or":
        return to_boolean(_eval(left, ctx)) or to_boolean(_eval(right, ctx))
    if op == "and":
        return to_boolean(_eval(left, ctx)) and to_boolean(_eval(right, ctx))
    if op in ("=", "!=", "<", "<=", ">", ">="):
        return _compare(op, _eval(left, ctx), _eval(right, ctx))
    return _arith(op, to_number(_eval(left, ctx)), to_number(_eval(right, ctx)))


def evaluate(text: str, ctx: Context) -> Any:
    """The expression's value (str, float or bool) in this context."""
    value = _eval(parse(text), ctx)
    return _first(value) if isinstance(value, NodeList) else value


def truth(text: str, ctx: Context) -> bool:
    return to_boolean(_eval(parse(text), ctx))
