"""Batch JSON: counting and indexing sessions without building them, and every validation error."""

from __future__ import annotations

import itertools
import json

import pytest

from nodeeditor.core.batch import Batch, load_batch, validate_batch
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.registry import default_registry
from workflow_builder import build


@pytest.fixture
def registry():
    return default_registry()


@pytest.fixture
def workflow():
    return build({"seed": ("integer", {"value": 0}), "prompt": ("string", {"value": ""}),
                  "scale": ("float", {"value": 1.0}), "label": ("string", {"value": ""})})


def axis(node: str, field: str, items: list) -> dict:
    return {"node": node, "field": field, "items": items}


def five_by_three() -> Batch:
    return Batch.model_validate({"runs": 1, "data": [
        [axis("seed", "value", [1, 2, 3, 4, 5]), axis("prompt", "value", ["a", "b", "c", "d", "e"])],
        [axis("scale", "value", [0.5, 1.0, 2.0])],
    ]})


def test_five_zipped_times_three_gives_fifteen_sessions_with_the_right_values():
    batch = five_by_three()
    assert batch.count() == 15
    expected = [{("seed", "value"): seed, ("prompt", "value"): prompt, ("scale", "value"): scale}
                for (seed, prompt), scale in itertools.product(zip([1, 2, 3, 4, 5], "abcde"), [0.5, 1.0, 2.0])]
    assert [batch.values_at(i) for i in range(15)] == expected


def test_runs_repeat_the_whole_product_outermost():
    batch = five_by_three().model_copy(update={"runs": 2})
    assert batch.count() == 30
    assert [batch.values_at(i) for i in range(15)] == [batch.values_at(i + 15) for i in range(15)]


def test_a_million_sessions_are_counted_and_indexed_without_building_them():
    batch = Batch.model_validate({"data": [[axis("seed", "value", list(range(1000)))],
                                           [axis("prompt", "value", [str(i) for i in range(1000)])]]})
    assert batch.count() == 1_000_000
    assert batch.values_at(999_999) == {("seed", "value"): 999, ("prompt", "value"): "999"}
    assert batch.field_values_at(1001) == {"seed.value": 1, "prompt.value": "1"}


@pytest.mark.parametrize("index", [-1, 6, 7, 1000])
def test_a_session_outside_the_batch_is_refused_naming_the_range(index):
    batch = Batch.model_validate({"runs": 2, "data": [[axis("seed", "value", [1, 2, 3])]]})
    with pytest.raises(IndexError, match=rf"session {index} is outside the batch \(0\.\.5\)"):
        batch.values_at(index)


def test_an_empty_batch_is_one_session_per_run():
    assert Batch().count() == 1
    assert Batch().values_at(0) == {}


def test_an_index_outside_the_batch_is_refused():
    with pytest.raises(IndexError):
        five_by_three().values_at(15)


def test_a_valid_batch_has_no_issues(workflow, registry):
    assert validate_batch(five_by_three(), workflow, registry) == []


@pytest.mark.parametrize("data, node, field, words", [
    ([[axis("seed", "value", [1, 2]), axis("prompt", "value", ["a"])]], "seed", "value", "differ in length"),
    ([[axis("nope", "value", [1])]], "nope", "value", "not in the workflow"),
    ([[axis("seed", "nope", [1])]], "seed", "nope", "has no input 'nope'"),
    ([[axis("seed", "value", [1, "many"])]], "seed", "value", "batch item 1 ('many') is invalid"),
    ([[axis("seed", "value", [1])], [axis("seed", "value", [2])]], "seed", "value", "sets this field twice"),
    ([[axis("seed", "value", [])]], "seed", "value", "has no items"),
])
def test_each_batch_error_names_its_node_and_field(workflow, registry, data, node, field, words):
    issues = validate_batch(Batch.model_validate({"data": data}), workflow, registry)
    assert any(i.node == node and i.field == field and words in i.message for i in issues), issues


def test_runs_below_one_are_refused(workflow, registry):
    issues = validate_batch(Batch(runs=0), workflow, registry)
    assert [(i.field, "at least 1" in i.message) for i in issues] == [("runs", True)]


def test_runs_go_up_to_the_largest_64_bit_integer_and_no_further():
    from pydantic import ValidationError

    assert Batch(runs=2**63 - 1).count() == 2**63 - 1
    with pytest.raises(ValidationError, match="less than or equal to 9223372036854775807"):
        Batch(runs=2**63)


def test_a_batch_of_more_than_2_63_sessions_is_refused_naming_runs(workflow, registry):
    batch = Batch.model_validate({"runs": 2**62, "data": [[axis("seed", "value", [1, 2])]]})
    issues = validate_batch(batch, workflow, registry)
    assert [(i.field, i.message) for i in issues] == [
        ("runs", f"the batch has more than 2**63-1 sessions ({2**62} runs x 2 each)")]
    half = batch.model_copy(update={"runs": 2**62 - 1})
    assert half.count() == 2**63 - 2 and validate_batch(half, workflow, registry) == []


def test_a_linked_input_cannot_be_a_batch_axis(registry):
    linked = build({"a": ("integer", {"value": 1}), "b": "integer"}, ["a.value -> b.value"])
    issues = validate_batch(Batch.model_validate({"data": [[axis("b", "value", [1])]]}), linked, registry)
    assert issues and "fed by a link" in issues[0].message


def test_a_batch_file_error_names_the_file(tmp_path):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps({"runs": 1, "data": [[{"node": "a", "items": [1]}]]}))
    with pytest.raises(LocatedError) as caught:
        load_batch(path)
    assert str(path) in str(caught.value) and "field" in str(caught.value)


def test_an_axis_without_a_field_name_is_refused():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="field"):
        Batch.model_validate({"data": [[axis("a", "", [1])]]})


def test_a_hostile_value_outside_the_axes_is_named_by_its_place_not_by_an_axis(tmp_path):
    path = tmp_path / "batch.json"
    path.write_text('{"runs": 1, "data": [[{"node": "a", "field": "value", "items": [1]}]], '
                    '"extra": [[NaN]]}')
    with pytest.raises(LocatedError) as caught:
        load_batch(path)
    message = str(caught.value)
    assert str(path) in message and "extra" in message and "node 'a'" not in message


def test_nan_as_text_in_a_float_axis_is_refused_like_nan_itself():
    registry = default_registry()
    workflow = build({"f": ("float", {"value": 1.0})})
    issues = validate_batch(Batch.model_validate({"data": [[axis("f", "value", [0.5, "nan"])]]}), workflow, registry)
    assert issues and "nan" in issues[0].message.lower()


def test_a_hostile_item_in_an_axis_names_the_node_field_and_item(tmp_path):
    path = tmp_path / "batch.json"
    path.write_text('{"data": [[{"node": "a", "field": "value", "items": [1, 2]}, '
                    '{"node": "f", "field": "value", "items": [0.5, NaN]}]]}')
    with pytest.raises(LocatedError) as caught:
        load_batch(path)
    message = str(caught.value)
    assert "node 'f'" in message and "field 'value'" in message and "batch item 1" in message
