"""Run to Here runs one node and what it needs: the upstream part of a workflow."""

from nodeeditor.core.partial import part_for, upstream_of
from workflow_builder import build


def diamond():
    return build({"a": "integer", "b": "integer", "s": "add", "t": "multiply", "other": "integer"},
                 ["a.value -> s.a", "b.value -> s.b", "s.value -> t.a", "a.value -> t.b"],
                 meta={"batch": {"runs": 1, "data": []}})


def test_the_part_holds_the_node_and_its_ancestors_only():
    workflow = diamond()
    assert upstream_of(workflow, "s") == {"a", "b", "s"}
    part = part_for(workflow, "s")
    assert [n.id for n in part.nodes] == ["a", "b", "s"]
    assert {(e.source.node, e.destination.node) for e in part.edges} == {("a", "s"), ("b", "s")}
    assert "batch" not in part.meta and [n.id for n in workflow.nodes] == ["a", "b", "s", "t", "other"]


def test_a_node_without_inputs_is_its_own_part():
    assert [n.id for n in part_for(diamond(), "other").nodes] == ["other"]
