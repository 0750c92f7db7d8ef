"""Math nodes: integer arithmetic, float math, rounding and bounds, seeded randoms, ranges."""

import math

import pytest
from pydantic import ValidationError

from nodeeditor.core.registry import default_registry
from workflow_builder import invoke, refused


def value(type_name, **inputs):
    return invoke(type_name, **inputs).value


@pytest.mark.parametrize("type_name, a, b, expected", [
    ("add", 7, 5, 12), ("subtract", 7, 5, 2), ("multiply", 7, -5, -35),
    ("divide", 7, 2, 3), ("divide", -7, 2, -4), ("modulo", -7, 2, 1), ("modulo", 7, -2, -1),
    ("power", 2, 10, 1024), ("power", -3, 3, -27), ("power", 5, 0, 1),
    ("min", 3, -4, -4), ("max", 3, -4, 3),
])
def test_integer_operations(type_name, a, b, expected):
    result = value(type_name, a=a, b=b)
    assert result == expected and type(result) is int


@pytest.mark.parametrize("type_name", ["divide", "modulo"])
def test_dividing_by_zero_is_refused_naming_b(type_name):
    assert "by zero" in refused(type_name, "b", a=1, b=0)


def test_integer_power_refuses_a_negative_exponent():
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        invoke("power", a=2, b=-1)


def test_integer_power_refuses_results_too_large_to_compute():
    assert "would need more than" in refused("power", "b", a=10, b=10**9)
    assert value("power", a=1, b=10**9) == 1


@pytest.mark.parametrize("operation, a, b, expected", [
    ("add", 1.5, 2.25, 3.75), ("subtract", 1.5, 2.25, -0.75), ("multiply", 1.5, -2.0, -3.0),
    ("divide", 1.0, 4.0, 0.25), ("power", 2.0, 0.5, math.sqrt(2)), ("modulo", -5.5, 2.0, 0.5),
    ("min", 1.0, -1.0, -1.0), ("max", 1.0, -1.0, 1.0),
])
def test_float_math_operations(operation, a, b, expected):
    assert value("float_math", operation=operation, a=a, b=b) == pytest.approx(expected)


@pytest.mark.parametrize("operation", ["divide", "modulo"])
def test_float_math_refuses_zero_divisor(operation):
    assert "by zero" in refused("float_math", "b", operation=operation, a=1.0, b=0.0)


@pytest.mark.parametrize("a, b, words", [(-8.0, 1 / 3, "not a real number"), (10.0, 1000.0, "too large"),
                                         (0.0, -1.0, "0 to a negative power")])
def test_float_power_refuses_what_has_no_float_answer(a, b, words):
    assert words in refused("float_math", "b", operation="power", a=a, b=b)


def test_float_math_operation_is_a_choice_typed_on_the_node():
    spec = default_registry().get("float_math")
    operation = spec.inputs["operation"]
    assert operation.choices == ["add", "subtract", "multiply", "divide", "power", "modulo", "min", "max"]
    assert operation.input_kind.value == "direct"
    with pytest.raises(ValidationError):
        invoke("float_math", operation="hypot", a=1.0, b=1.0)


@pytest.mark.parametrize("number, decimals, expected", [(2.675, 1, 2.7), (2.5, 0, 2.0), (1234.5, -2, 1200.0)])
def test_round(number, decimals, expected):
    assert value("round", value=number, decimals=decimals) == expected


@pytest.mark.parametrize("number, expected", [(-5, 0), (50, 50), (500, 100)])
def test_clamp(number, expected):
    assert value("clamp", value=number, low=0, high=100) == expected


def test_float_clamp_and_abs():
    assert value("float_clamp", value=1.5, low=0.0, high=1.0) == 1.0
    assert value("float_abs", value=-2.5) == 2.5
    assert value("abs", value=-3) == 3


@pytest.mark.parametrize("type_name", ["clamp", "float_clamp", "random_int", "random_float"])
def test_bounds_the_wrong_way_round_are_refused_naming_high(type_name):
    assert "below low" in refused(type_name, "high", low=5, high=1)


def test_random_int_is_decided_by_its_seed():
    draws = [value("random_int", low=1, high=6, seed=seed) for seed in range(200)]
    assert set(draws) == {1, 2, 3, 4, 5, 6}
    assert draws == [value("random_int", low=1, high=6, seed=seed) for seed in range(200)]


def test_random_float_is_decided_by_its_seed_and_stays_in_bounds():
    draws = [value("random_float", low=-1.0, high=1.0, seed=seed) for seed in range(100)]
    assert all(-1.0 <= d <= 1.0 for d in draws) and len(set(draws)) == 100
    assert value("random_float", seed=42) == value("random_float", seed=42)


def test_seeded_randoms_are_cacheable_and_the_fresh_seed_is_not():
    registry = default_registry()
    assert registry.get("random_int").cacheable and registry.get("random_float").cacheable
    assert not registry.get("random_seed").cacheable
    seeds = {invoke("random_seed").seed for _ in range(20)}
    assert len(seeds) > 1 and all(0 <= s < 2**32 for s in seeds)


@pytest.mark.parametrize("inputs, expected", [
    ({"start": 0, "stop": 5}, [0, 1, 2, 3, 4]), ({"start": 10, "stop": 0, "step": -3}, [10, 7, 4, 1]),
    ({"start": 5, "stop": 5}, []),
])
def test_range_counts_like_python(inputs, expected):
    assert invoke("range", **inputs).collection == expected


def test_range_refuses_step_zero_and_huge_ranges():
    assert "by zero" in refused("range", "step", start=0, stop=3, step=0)
    assert "more than 1,000,000" in refused("range", "stop", start=0, stop=10**12)


def test_range_of_size():
    assert invoke("range_of_size", start=3, size=4, step=-2).collection == [3, 1, -1, -3]
    assert invoke("range_of_size", start=3, size=0).collection == []
