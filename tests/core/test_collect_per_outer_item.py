"""Collect per outer item: inside nested Iterates, one collection per item of the outer ones."""

from __future__ import annotations

import pytest

from nodeeditor.core.errors import GraphValidationError
from nodeeditor.core.registry import default_registry
from nodeeditor.engine.runner import run_workflow
from workflow_builder import build


@pytest.fixture(scope="module")
def registry():
    return default_registry()


def nested(sizes, per_outer_item=True, then_collect=True):
    """sizes -> outer -> range_of_size -> inner -> x10 -> c (per outer item?) [-> all]"""
    nodes = {"sizes": ("integer_collection", {"collection": sizes}), "outer": "iterate",
             "r": ("range_of_size", {"start": 0, "step": 1}), "inner": "iterate",
             "m": ("multiply", {"b": 10}), "c": ("collect", {"per_outer_item": per_outer_item})}
    links = ["sizes.collection -> outer.collection", "outer.item -> r.size", "r.collection -> inner.collection",
             "inner.item -> m.a", "m.value -> c.item"]
    if then_collect:
        nodes["all"] = "collect"
        links.append("c.collection -> all.item")
    return build(nodes, links)


def run(registry, workflow):
    result = run_workflow(workflow, registry, artifacts=None)
    assert result.status == "completed", result.error
    return result


def test_one_collection_per_outer_item_in_inner_order(registry):
    result = run(registry, nested([1, 2, 3]))
    assert result.outputs["c"] == {(0,): {"collection": [0]}, (1,): {"collection": [0, 10]},
                                   (2,): {"collection": [0, 10, 20]}}
    assert result.outputs["all"][()]["collection"] == [[0], [0, 10], [0, 10, 20]]


def test_an_outer_item_with_an_empty_inner_collection_gets_an_empty_collection(registry):
    result = run(registry, nested([2, 0, 1]))
    assert result.outputs["all"][()]["collection"] == [[0, 10], [], [0]]


def test_without_the_option_collect_closes_every_iteration(registry):
    result = run(registry, nested([1, 2, 3], per_outer_item=False))
    assert result.outputs["c"] == {(): {"collection": [0, 0, 10, 0, 10, 20]}}
    assert result.outputs["all"][()]["collection"] == [[0, 0, 10, 0, 10, 20]]


def test_a_node_after_a_per_outer_item_collect_runs_once_per_outer_item(registry):
    workflow = nested([1, 2, 3], then_collect=False)
    workflow = build({**{n.id: (n.type, n.inputs) for n in workflow.nodes}, "n": "length", "all": "collect"},
                     [f"{e.source.node}.{e.source.field} -> {e.destination.node}.{e.destination.field}"
                      for e in workflow.edges] + ["c.collection -> n.collection", "n.value -> all.item"])
    result = run(registry, workflow)
    assert sorted(result.outputs["n"]) == [(0,), (1,), (2,)]
    assert result.outputs["all"][()]["collection"] == [1, 2, 3]


def test_with_one_iterate_per_outer_item_is_one_collection(registry):
    result = run(registry, build({"r": ("range", {"stop": 3}), "it": "iterate", "c": ("collect", {"per_outer_item": True})},
                                 ["r.collection -> it.collection", "it.item -> c.item"]))
    assert result.outputs["c"] == {(): {"collection": [0, 1, 2]}}


def test_independent_iterates_are_grouped_by_all_but_the_innermost(registry):
    result = run(registry, build({
        "xs": ("integer_collection", {"collection": [1, 2]}), "x": "iterate",
        "ys": ("integer_collection", {"collection": [10, 20, 30]}), "y": "iterate",
        "sum": "add", "c": ("collect", {"per_outer_item": True})},
        ["xs.collection -> x.collection", "ys.collection -> y.collection", "x.item -> sum.a", "y.item -> sum.b",
         "sum.value -> c.item"]))
    assert result.outputs["c"] == {(0,): {"collection": [11, 21, 31]}, (1,): {"collection": [12, 22, 32]}}


def test_a_link_from_outside_the_outer_iterations_is_refused_before_running(registry):
    workflow = build({"sizes": ("integer_collection", {"collection": [1, 2]}), "outer": "iterate",
                      "r": ("range_of_size", {"start": 0}), "inner": "iterate", "lone": ("integer", {"value": 5}),
                      "c": ("collect", {"per_outer_item": True})},
                     ["sizes.collection -> outer.collection", "outer.item -> r.size",
                      "r.collection -> inner.collection", "inner.item -> c.item", "lone.value -> c.item"])
    with pytest.raises(GraphValidationError) as caught:
        run_workflow(workflow, registry, artifacts=None)
    assert [(i.node, i.field) for i in caught.value.issues] == [("c", "per_outer_item")]
