"""Graph validation: every problem that would stop a run, each naming its node and field."""

import pytest

from nodeeditor.core.errors import GraphValidationError
from nodeeditor.core.graph import Graph, GraphIssue, link_error
from nodeeditor.core.validation import validate_graph
from nodeeditor.core.plan import ExecutionPlan
from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import Edge, Endpoint
from workflow_builder import build


@pytest.fixture(scope="module")
def registry():
    return default_registry()


def issues_of(registry, nodes, links=()):
    return validate_graph(build(nodes, list(links)), registry)


def test_a_valid_graph_has_no_issues(registry):
    assert issues_of(registry, {"n": ("integer", {"value": 2}), "add": ("add", {"b": 3})},
                     ["n.value -> add.a"]) == []


def test_unknown_node_type_names_the_node_and_the_type(registry):
    assert issues_of(registry, {"x": ("warp_drive", {"speed": 9})}) == [
        GraphIssue("x", None, "unknown node type 'warp_drive' (not installed)")]


def test_unknown_input_value_names_the_field(registry):
    assert issues_of(registry, {"add": ("add", {"c": 1})}) == [GraphIssue("add", "c", "Add has no input 'c'")]


def test_link_into_an_unknown_input_names_the_field(registry):
    assert issues_of(registry, {"n": "integer", "add": "add"}, ["n.value -> add.c"]) == [
        GraphIssue("add", "c", "Add has no input 'c'")]


def test_link_from_an_unknown_output_names_the_source_field(registry):
    assert issues_of(registry, {"n": "integer", "add": "add"}, ["n.total -> add.a"]) == [
        GraphIssue("n", "total", "Integer has no output 'total'")]


def test_incompatible_types_name_the_input_and_the_link(registry):
    assert issues_of(registry, {"s": "string", "add": "add"}, ["s.value -> add.a"]) == [
        GraphIssue("add", "a", "link from s.value: string cannot connect to integer")]


def test_collection_into_single_input_suggests_iterate(registry):
    [issue] = issues_of(registry, {"r": "range", "add": "add"}, ["r.collection -> add.a"])
    assert (issue.node, issue.field) == ("add", "a")
    assert "insert an Iterate node" in issue.message


def test_second_link_into_a_single_input_is_refused(registry):
    assert issues_of(registry, {"n": "integer", "m": "integer", "add": "add"},
                     ["n.value -> add.a", "m.value -> add.a"]) == [
        GraphIssue("add", "a", "input 'A' takes one link; it has several")]


def test_several_links_into_collect_are_fine(registry):
    assert issues_of(registry, {"n": "integer", "m": "integer", "c": "collect"},
                     ["n.value -> c.item", "m.value -> c.item"]) == []


def test_cycle_names_the_link_that_closes_it(registry):
    assert issues_of(registry, {"a": "add", "b": "add"}, ["a.value -> b.a", "b.value -> a.a"]) == [
        GraphIssue("a", "a", "link from b.value closes a cycle: a -> b -> a")]


def test_cycle_is_reported_even_when_a_node_behind_it_sorts_first(registry):
    assert issues_of(registry, {"x": "add", "y": "add", "a": "add"},
                     ["x.value -> y.a", "y.value -> x.a", "x.value -> a.a"]) == [
        GraphIssue("x", "a", "link from y.value closes a cycle: x -> y -> x")]


def test_invalid_value_carries_pydantic_message(registry):
    assert issues_of(registry, {"add": ("add", {"a": "seven"})}) == [
        GraphIssue("add", "a", "invalid value 'seven': Input should be a valid integer, "
                               "unable to parse string as an integer")]


def test_value_outside_bounds_is_invalid(registry):
    [issue] = issues_of(registry, {"r": ("range_of_size", {"size": -1})})
    assert (issue.node, issue.field) == ("r", "size")
    assert "greater than or equal to 0" in issue.message


def test_missing_required_input_is_reported_before_running(registry):
    assert issues_of(registry, {"img": "image"}) == [
        GraphIssue("img", "value", "required input 'Value' is missing; connect it or type a value")]


def test_direct_only_input_refuses_a_link(registry):
    [issue] = issues_of(registry, {"s": "string", "m": "float_math"}, ["s.value -> m.operation"])
    assert issue == GraphIssue("m", "operation", "input 'Operation' takes a typed value, not a link")


def test_every_issue_is_listed_at_once(registry):
    found = issues_of(registry, {"x": "warp_drive", "add": ("add", {"a": "x", "c": 1})})
    assert [(i.node, i.field) for i in found] == [("x", None), ("add", "a"), ("add", "c")]


def test_overrides_are_validated_like_typed_values(registry):
    workflow = build({"add": "add"})
    assert validate_graph(workflow, registry, {("add", "a"): "x", ("ghost", "a"): 1}) == [
        GraphIssue("add", "a", "invalid value 'x': Input should be a valid integer, "
                               "unable to parse string as an integer"),
        GraphIssue("ghost", "a", "no node with this id")]


def test_a_plan_refuses_an_invalid_graph_with_every_issue(registry):
    with pytest.raises(GraphValidationError) as caught:
        ExecutionPlan(build({"add": ("add", {"a": "x"})}), registry, file="w.json")
    assert str(caught.value).startswith("w.json: node 'add', field 'a': invalid value 'x'")
    assert len(caught.value.issues) == 1


def link(src: str, dst: str) -> Edge:
    (sn, sf), (dn, df) = src.split("."), dst.split(".")
    return Edge(source=Endpoint(node=sn, field=sf), destination=Endpoint(node=dn, field=df))


def test_link_error_explains_a_link_before_it_is_made(registry):
    workflow = build({"a": "add", "b": "add", "s": "string", "r": "range"}, ["a.value -> b.a"])
    assert link_error(registry, workflow, link("b.value", "a.b")) == "the link would create a cycle"
    assert link_error(registry, workflow, link("a.value", "a.b")) == "a node cannot connect to itself"
    assert link_error(registry, workflow, link("s.value", "b.b")) == "string cannot connect to integer"
    assert link_error(registry, workflow, link("r.collection", "b.b")).endswith("insert an Iterate node to run once per item")
    assert link_error(registry, workflow, link("a.value", "b.b")) is None


def test_topological_order_puts_sources_first_and_keeps_file_order(registry):
    workflow = build({"sum": "add", "x": "integer", "y": "integer"}, ["y.value -> sum.b", "x.value -> sum.a"])
    assert Graph(workflow).topological_order() == ["x", "y", "sum"]


@pytest.mark.parametrize("nodes, links", [
    ({"a": "add"}, ["a.value -> a.a"]),                                   # a leaf linked to itself
    ({"i": ("integer", {"value": 1}), "a": "add"}, ["i.value -> a.b", "a.value -> a.a"]),
])
def test_a_self_loop_is_a_cycle(registry, nodes, links):
    issues = issues_of(registry, nodes, links)
    assert GraphIssue("a", "a", "link from a.value closes a cycle: a -> a") in issues


@pytest.mark.parametrize("nodes", [{"a": "add"}, {"a": "add", "i": ("integer", {"value": 1})}])
def test_a_self_loop_on_a_leaf_is_refused_before_it_is_made(registry, nodes):
    edge = Edge(source=Endpoint(node="a", field="value"), destination=Endpoint(node="a", field="a"))
    assert link_error(registry, build(nodes), edge) == "a node cannot connect to itself"


def test_link_error_names_the_node_type_that_is_not_installed(registry):
    workflow = build({"a": "add", "x": "not_installed_here"})
    assert link_error(registry, workflow, link("a.value", "x.value")) == "node type 'not_installed_here' is not installed"
    assert link_error(registry, workflow, link("x.value", "a.b")) == "node type 'not_installed_here' is not installed"


def test_ancestors_and_descendants_follow_the_links_all_the_way(registry):
    graph = Graph(build({"a": "add", "b": "add", "c": "add", "d": "add"}, ["a.value -> b.a", "b.value -> c.a"]))
    assert graph.descendants("a") == {"b", "c"} and graph.ancestors("c") == {"a", "b"}
    assert graph.descendants("d") == set() and graph.ancestors("a") == set()
