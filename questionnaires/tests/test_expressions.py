"""The ODK expression language on the server against the ONE corpus the browser also runs (conformance.json)."""

import json
import math
from pathlib import Path

import pytest

from questionnaires import expressions
from questionnaires.expressions import Context, ExpressionError

CORPUS = json.loads((Path(expressions.__file__).parent / "conformance.json").read_text("utf-8"))


def normalised(value):
    """How both evaluators report a result: NaN as None, infinities as their strings."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return value


def same(got, expected) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return got is expected
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return got == expected
    return got == expected and type(got) is type(expected)


@pytest.mark.parametrize("case", CORPUS["cases"], ids=[c["expr"] for c in CORPUS["cases"]])
def test_corpus(case):
    ctx = Context(answers=case["answers"], current=case["value"], today=CORPUS["today"], now=CORPUS["now"],
                  instance=tuple(case["instance"]) if case.get("instance") else None, choice=case.get("choice"),
                  labels=case.get("labels") or {})
    got = normalised(expressions.evaluate(case["expr"], ctx))
    assert same(got, case["expected"]), f"{case['expr']}: {got!r} != {case['expected']!r}"


@pytest.mark.parametrize("text", CORPUS["errors"])
def test_what_does_not_parse_is_refused(text):
    with pytest.raises(ExpressionError):
        expressions.parse(text)


def test_check_knows_the_form_s_names_and_keeps_bare_names_to_choice_filters():
    expressions.check("${a} = 1", names={"a"})
    with pytest.raises(ExpressionError, match="不存在的题目"):
        expressions.check("${b} = 1", names={"a"})
    with pytest.raises(ExpressionError, match="无法识别的名称"):
        expressions.check("area = 1")
    expressions.check("area = ${a}", names={"a"}, columns_allowed=True)
    assert expressions.references("${a} + ${b}") == {"a", "b"}
