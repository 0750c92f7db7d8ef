"""The execution plan: order, Iterate fan-out, Collect, nesting, bypass, and source node ids.

Graphs run through the in-process runner; its events show which copies ran.
"""

import pytest

from nodeeditor.core.plan import ExecutionPlan
from nodeeditor.core.registry import default_registry
from nodeeditor.engine.events import NodeCompleted, NodeStarted
from nodeeditor.engine.runner import run_workflow
from workflow_builder import build


@pytest.fixture(scope="module")
def registry():
    return default_registry()


def run(registry, nodes, links=()):
    events = []
    result = run_workflow(build(nodes, list(links)), registry, artifacts=None, on_event=events.append)
    assert result.status == "completed", result.error
    return result, events


def started(events, node_id):
    return [e.instance_id for e in events if isinstance(e, NodeStarted) and e.node_id == node_id]


def collected(result, node_id="c"):
    return result.outputs[node_id][()]["collection"]


DOUBLES = {"r": ("range", {"start": 0, "stop": 10}), "it": "iterate", "m": ("multiply", {"b": 2}), "c": "collect"}
DOUBLE_LINKS = ["r.collection -> it.collection", "it.item -> m.a", "m.value -> c.item"]


def test_order_is_topological(registry):
    plan = ExecutionPlan(build(DOUBLES, DOUBLE_LINKS), registry)
    assert plan.order == ["r", "it", "m", "c"]


def test_iterate_runs_the_downstream_node_once_per_item_and_collect_keeps_order(registry):
    result, events = run(registry, DOUBLES, DOUBLE_LINKS)
    assert collected(result) == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]
    assert started(events, "m") == [f"m[{i}]" for i in range(10)]


def test_every_copy_keeps_the_id_of_the_node_that_was_drawn(registry):
    _, events = run(registry, DOUBLES, DOUBLE_LINKS)
    copies = [e for e in events if isinstance(e, NodeStarted) and e.node_type == "multiply"]
    assert {e.node_id for e in copies} == {"m"} and {e.copies for e in copies} == {10}
    done = [e for e in events if isinstance(e, NodeCompleted) and e.node_id == "m"]
    assert [e.outputs["value"] for e in done] == [str(2 * i) for i in range(10)]


def test_iterate_gives_index_and_total(registry):
    result, _ = run(registry, {"s": ("string_collection", {"collection": ["x", "y"]}), "it": "iterate",
                               "c": "collect", "t": "collect"},
                    ["s.collection -> it.collection", "it.index -> c.item", "it.total -> t.item"])
    assert collected(result) == [0, 1] and collected(result, "t") == [2, 2]


def test_empty_collection_runs_nothing_downstream_and_collect_gives_empty(registry):
    nodes = dict(DOUBLES, r=("range", {"start": 0, "stop": 0}))
    result, events = run(registry, nodes, DOUBLE_LINKS)
    assert started(events, "m") == []
    assert collected(result) == []


def test_collect_gathers_in_item_order_not_value_order(registry):
    result, _ = run(registry, {"s": ("integer_collection", {"collection": [5, 3, 9, 1]}), "it": "iterate",
                               "m": ("add", {"b": 0}), "c": "collect"},
                    ["s.collection -> it.collection", "it.item -> m.a", "m.value -> c.item"])
    assert collected(result) == [5, 3, 9, 1]


def test_collect_gathers_several_links_in_link_order(registry):
    result, _ = run(registry, {"x": ("integer", {"value": 1}), "y": ("integer", {"value": 2}),
                               "z": ("integer", {"value": 3}), "c": "collect"},
                    ["z.value -> c.item", "x.value -> c.item", "y.value -> c.item"])
    assert collected(result) == [3, 1, 2]


def test_independent_iterates_produce_the_product(registry):
    result, events = run(registry, {
        "xs": ("integer_collection", {"collection": [1, 2]}), "ys": ("integer_collection", {"collection": [10, 20, 30]}),
        "ix": "iterate", "iy": "iterate", "sum": "add", "c": "collect"},
        ["xs.collection -> ix.collection", "ys.collection -> iy.collection",
         "ix.item -> sum.a", "iy.item -> sum.b", "sum.value -> c.item"])
    assert collected(result) == [11, 21, 31, 12, 22, 32]
    assert started(events, "sum") == ["sum[0,0]", "sum[0,1]", "sum[0,2]", "sum[1,0]", "sum[1,1]", "sum[1,2]"]


def test_branches_of_one_iteration_pair_up_by_item(registry):
    result, events = run(registry, {
        "r": ("range", {"stop": 4}), "it": "iterate", "double": ("multiply", {"b": 2}),
        "square": "multiply", "sum": "add", "c": "collect"},
        ["r.collection -> it.collection", "it.item -> double.a", "it.item -> square.a", "it.item -> square.b",
         "double.value -> sum.a", "square.value -> sum.b", "sum.value -> c.item"])
    assert collected(result) == [0, 3, 8, 15]
    assert len(started(events, "sum")) == 4


def test_an_inner_iterate_may_depend_on_the_outer_item(registry):
    result, events = run(registry, {
        "sizes": ("integer_collection", {"collection": [1, 2, 3]}), "outer": "iterate",
        "r": ("range_of_size", {"start": 0, "step": 1}), "inner": "iterate",
        "m": ("multiply", {"b": 10}), "c": "collect"},
        ["sizes.collection -> outer.collection", "outer.item -> r.size", "r.collection -> inner.collection",
         "inner.item -> m.a", "m.value -> c.item"])
    assert collected(result) == [0, 0, 10, 0, 10, 20]
    assert started(events, "r") == ["r[0]", "r[1]", "r[2]"]
    assert started(events, "m") == ["m[0,0]", "m[1,0]", "m[1,1]", "m[2,0]", "m[2,1]", "m[2,2]"]


def test_collect_feeds_another_iterate(registry):
    result, _ = run(registry, dict(DOUBLES, again="iterate", inc=("add", {"b": 1}), c2="collect"),
                    DOUBLE_LINKS + ["c.collection -> again.collection", "again.item -> inc.a",
                                    "inc.value -> c2.item"])
    assert collected(result, "c2") == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19]


def test_a_leaf_iterate_completes_with_one_output_per_item(registry):
    result, _ = run(registry, {"r": ("range", {"stop": 3}), "it": "iterate"}, ["r.collection -> it.collection"])
    assert result.leaf_outputs() == {f"it[{i}]": {"item": i, "index": i, "total": 3} for i in range(3)}


def test_bypass_passes_the_first_input_of_the_output_type_through(registry):
    workflow = build({"n": ("integer", {"value": 7}), "m": ("multiply", {"b": 3}), "c": "collect"},
                     ["n.value -> m.a", "m.value -> c.item"])
    workflow.node("m").bypassed = True
    events = []
    result = run_workflow(workflow, registry, artifacts=None, on_event=events.append)
    assert collected(result) == [7]
    assert started(events, "m") == ["m"]


def test_a_node_fed_by_an_iteration_and_a_single_value_runs_per_item(registry):
    result, _ = run(registry, {"r": ("range", {"stop": 3}), "it": "iterate", "k": ("integer", {"value": 100}),
                               "sum": "add", "c": "collect"},
                    ["r.collection -> it.collection", "it.item -> sum.a", "k.value -> sum.b", "sum.value -> c.item"])
    assert collected(result) == [100, 101, 102]


def test_collect_keeps_iteration_order_past_ten_items(registry):
    """Copies are keyed by index: 11 or more items would sort 0, 1, 10, 11, 2 ... as text."""
    nodes = {**DOUBLES, "r": ("range", {"start": 0, "stop": 23})}
    result, _ = run(registry, nodes, DOUBLE_LINKS)
    assert collected(result) == [2 * i for i in range(23)]


def test_nested_iterations_collect_in_order_past_ten_items(registry):
    nodes = {"r": ("range", {"start": 0, "stop": 12}), "it": "iterate", "m": ("multiply", {"b": 3}),
             "c": "collect", "it2": "iterate", "c2": "collect"}
    links = ["r.collection -> it.collection", "it.item -> m.a", "m.value -> c.item",
             "c.collection -> it2.collection", "it2.item -> c2.item"]
    result, _ = run(registry, nodes, links)
    assert collected(result, "c2") == [3 * i for i in range(12)]


def test_a_misspelt_field_set_on_a_node_call_is_an_error_not_silently_kept(registry):
    plan = ExecutionPlan(build({"a": ("integer", {"value": 3})}), registry)
    refused = []

    def execute(call):
        try:
            call.pasthrough = True  # the field is `passthrough`
        except AttributeError as exc:
            refused.append(str(exc))
        return {"value": call.inputs["value"]}

    assert plan.run(execute)["a"][()] == {"value": 3}
    assert len(refused) == 1 and "'pasthrough'" in refused[0]
