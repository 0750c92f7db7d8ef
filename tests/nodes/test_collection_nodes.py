"""Collection helpers: length, index, slice and seeded shuffle (iterate/collect live in the plan tests)."""

import pytest

from nodeeditor.core.registry import default_registry
from nodeeditor.engine.runner import run_workflow
from workflow_builder import build, invoke, refused

ITEMS = ["a", "b", "c", "d", "e"]


def test_length_counts_items():
    assert invoke("length", collection=ITEMS).value == 5
    assert invoke("length", collection=[]).value == 0


@pytest.mark.parametrize("index, expected", [(0, "a"), (4, "e"), (-1, "e"), (-5, "a")])
def test_index_counts_from_zero_and_from_the_end(index, expected):
    assert invoke("index", collection=ITEMS, index=index).item == expected


@pytest.mark.parametrize("index", [5, -6])
def test_index_out_of_range_names_the_valid_range(index):
    assert refused("index", "index", collection=ITEMS, index=index) == f"index {index} is out of range (valid: -5..4)"


def test_index_into_an_empty_collection_says_so():
    assert refused("index", "index", collection=[], index=0) == "index 0 is out of range (the collection is empty)"


@pytest.mark.parametrize("bounds, expected", [
    ({"start": 1, "stop": 3}, ["b", "c"]), ({"start": -2}, ["d", "e"]), ({"stop": -3}, ["a", "b"]),
    ({"step": 2}, ["a", "c", "e"]), ({"step": -1}, ["e", "d", "c", "b", "a"]), ({}, ITEMS),
    ({"start": 10}, []),
])
def test_slice_works_like_python(bounds, expected):
    assert invoke("slice", collection=ITEMS, **bounds).collection == expected


def test_slice_refuses_step_zero():
    assert refused("slice", "step", collection=ITEMS, step=0) == "step cannot be 0"


def test_shuffle_is_a_permutation_decided_by_the_seed():
    first = invoke("shuffle", collection=list(range(20)), seed=7).collection
    assert sorted(first) == list(range(20)) and first != list(range(20))
    assert invoke("shuffle", collection=list(range(20)), seed=7).collection == first
    assert invoke("shuffle", collection=list(range(20)), seed=8).collection != first


def test_shuffle_leaves_its_input_alone():
    items = [1, 2, 3, 4]
    invoke("shuffle", collection=items, seed=1)
    assert items == [1, 2, 3, 4]


def test_an_index_failure_in_a_run_names_node_and_field():
    workflow = build({"r": ("range", {"stop": 3}), "pick": ("index", {"index": 3})}, ["r.collection -> pick.collection"])
    result = run_workflow(workflow, default_registry(), artifacts=None)
    assert result.status == "failed"
    assert str(result.error) == "node 'pick' (index) failed: field 'index': index 3 is out of range (valid: -3..2)"
