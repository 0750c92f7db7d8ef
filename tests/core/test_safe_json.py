"""The hostile-value checks every file and --set value goes through, error by error."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nodeeditor.core import safe_json
from nodeeditor.core.safe_json import MAX_DEPTH, UnsafeValue, check, describe_path, loads


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("text, message, path", [
    ('{"a": [1, NaN]}', "NaN is not allowed here (only finite numbers)", ("a", 1)),
    ('{"a": {"b": Infinity}}', "Infinity is not allowed here (only finite numbers)", ("a", "b")),
    ('[-Infinity]', "-Infinity is not allowed here (only finite numbers)", (0,)),
    ('{"k": "x\\ud800"}', "text holds a lone surrogate (\\ud800-\\udfff), not valid Unicode", ("k",)),
    ('{"\\udc00": 1}', "a key holds a lone surrogate, not valid Unicode", ()),
    ('[1, 2, 1e999]', "Infinity is not allowed here (only finite numbers)", (2,)),
])
def test_each_hostile_value_is_named_with_its_place(text, message, path):
    with pytest.raises(UnsafeValue) as refused:
        loads(text)
    assert (refused.value.message, refused.value.path) == (message, path)
    assert refused.value.data is not None  # the parsed document, to name what the path is in


def test_nesting_is_limited_at_exactly_max_depth():
    assert loads(nested(MAX_DEPTH)) is not None
    with pytest.raises(UnsafeValue, match=f"nested more than {MAX_DEPTH} levels deep"):
        loads(nested(MAX_DEPTH + 1))


def test_nesting_too_deep_for_the_parser_is_refused_the_same_way():
    with pytest.raises(UnsafeValue, match=f"nested more than {MAX_DEPTH} levels deep") as refused:
        loads(nested(200_000))
    assert refused.value.path == ()


def test_an_integer_past_the_digit_limit_is_refused_with_its_line():
    text = '{\n  "a": ' + "1" * 4300 + ',\n  "b": ' + "7" * 4301 + "\n}"
    with pytest.raises(UnsafeValue) as refused:
        loads(text)
    assert refused.value.message == "an integer has more than 4300 digits (line 3, column 8)"


def test_an_integer_at_the_digit_limit_is_kept_exactly():
    big = int("9" * 4300)
    assert loads(json.dumps({"n": big})) == {"n": big}
    check({"n": -big})


def test_an_integer_past_the_limit_built_in_python_is_refused():
    with pytest.raises(UnsafeValue, match="more than 4300 digits") as refused:
        check({"n": [10 ** 4400]})
    assert refused.value.path == ("n", 0)


@pytest.fixture
def digit_limit():
    """Set the interpreter's int <-> str digit limit for one test (PYTHONINTMAXSTRDIGITS does the same)."""
    import sys

    before = sys.get_int_max_str_digits()
    yield sys.set_int_max_str_digits
    sys.set_int_max_str_digits(before)


def test_the_digit_limit_follows_the_interpreters_setting(digit_limit):
    digit_limit(1000)
    with pytest.raises(UnsafeValue, match="more than 1000 digits"):
        check({"n": 10 ** 1500})
    with pytest.raises(UnsafeValue, match=r"an integer has more than 1000 digits \(line 1, column 2\)"):
        loads("[" + "5" * 1001 + "]")
    digit_limit(10_000)
    big = int("9" * 5000)
    check({"n": big})
    assert loads(json.dumps([big])) == [big]


def test_text_that_is_not_json_is_a_json_error_not_an_unsafe_value():
    with pytest.raises(json.JSONDecodeError):
        loads("{not json")


@pytest.mark.parametrize("value", [
    None, True, False, 0, -0.0, 1.5e308, 2 ** 63, "🙂", "\u0000", {"": []}, [[[]]], {"a": {"b": {"c": "d"}}},
])
def test_ordinary_values_pass_and_round_trip(value):
    check(value)
    assert loads(json.dumps(value)) == value


def test_the_first_problem_in_document_order_is_reported():
    with pytest.raises(UnsafeValue) as refused:
        check({"a": [1, math.nan], "b": math.inf, "c": "\ud800"})
    assert refused.value.path == ("a", 1)


def test_a_path_reads_like_the_file():
    assert describe_path(("inputs", "value", 0, "x")) == "inputs.value[0].x"
    assert describe_path((0, "a")) == "[0].a"
    assert describe_path(tuple(range(10))) == "[0][1][2][3][4][5]…"
    assert describe_path(()) == ""


def test_the_check_walks_without_recursion():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(UnsafeValue, match="nested more than"):
        check(deep)
    assert safe_json.MAX_DEPTH == 64


@pytest.mark.parametrize("text", ["NaN", "nan", "inf", "-Infinity"])
def test_a_float_field_refuses_non_finite_text_too(text):
    """pydantic reads "nan" as a float: the field checks what it made, not only what it got."""
    from pydantic import ValidationError

    from nodeeditor.core.registry import default_registry

    spec = default_registry().get("float").inputs["value"]
    with pytest.raises(ValidationError, match="is not allowed here"):
        spec.validate(text)


@pytest.mark.parametrize("text", [
    "[[], {}, [[]], " + nested(MAX_DEPTH) + "]",            # siblings close before the deep one
    '{"a": [], "b": {}, "c": ' + nested(MAX_DEPTH) + "}",
    '{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1),  # objects count like lists
    '[{"x": [' * 22 + "]}]" * 22,
])
def test_depth_counts_every_open_bracket_whatever_closed_before(text):
    with pytest.raises(UnsafeValue, match=f"nested more than {MAX_DEPTH} levels deep"):
        loads(text)


def test_objects_nested_exactly_max_depth_pass():
    text = '{"a":' * MAX_DEPTH + "1" + "}" * MAX_DEPTH
    assert loads(text) is not None
    check(json.loads(text))
    with pytest.raises(UnsafeValue) as refused:
        check({"k": json.loads(text)})
    assert refused.value.path[:2] == ("k", "a")


def test_the_digit_limit_location_counts_lines_and_columns_from_one():
    with pytest.raises(UnsafeValue, match=r"\(line 2, column 3\)"):
        loads("[1,\n  " + "5" * 4301 + "]")
    with pytest.raises(UnsafeValue, match=r"\(line 1, column 2\)"):
        loads("[" + "5" * 4301 + "]")


def _nesting(value):
    if isinstance(value, dict):
        return 1 + max(map(_nesting, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_nesting, value), default=0)
    return 0


_TRICKY_TEXT = st.text(alphabet=st.sampled_from(list('ab"\\[]{}\n\u00e9')), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.none() | st.integers() | _TRICKY_TEXT,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TRICKY_TEXT, inner, max_size=3),
                    max_leaves=30), st.integers(0, 8), st.booleans())
def test_depth_counted_on_the_text_agrees_with_the_values(value, most, ascii_only):
    """Brackets, quotes and backslashes inside strings never count as nesting."""
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert safe_json._deeper_than(text, most) == (_nesting(value) > most)
