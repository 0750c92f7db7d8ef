"""Types that flow: Iterate's item, Collect's collection and a reroute's value follow their links.

Each rule is checked valid and refused, in validation (what `nodeeditor run` reports, exit 2) and
in the link check the canvas asks when a link is dropped.
"""

from __future__ import annotations

import pytest

from nodeeditor.cli import main
from nodeeditor.core.graph import Graph, infer_types, link_error
from nodeeditor.core.validation import validate_graph
from nodeeditor.core.registry import default_registry
from nodeeditor.core.types import Cardinality, Kind, SocketType
from nodeeditor.core.workflow import Edge, Endpoint, save_workflow
from workflow_builder import build


@pytest.fixture(scope="module")
def registry():
    return default_registry()


def issues_of(registry, nodes, links):
    return [(i.node, i.field, i.message) for i in validate_graph(build(nodes, links), registry)]


def edge(link: str) -> Edge:
    src, dst = (part.strip() for part in link.split("->"))
    (sn, sf), (dn, df) = src.split("."), dst.split(".")
    return Edge(source=Endpoint(node=sn, field=sf), destination=Endpoint(node=dn, field=df))


STRINGS = ("string_collection", {"collection": ["a", "b"]})
INTEGERS = ("integer_collection", {"collection": [1, 2]})


def test_iterate_item_takes_the_element_type_of_the_linked_collection(registry):
    workflow = build({"s": STRINGS, "it": "iterate", "n": ("range", {"stop": 3}), "it2": "iterate"},
                     ["s.collection -> it.collection", "n.collection -> it2.collection"])
    types = infer_types(registry, Graph(workflow))
    assert types[("it", "item")] == SocketType(Kind.STRING)
    assert types[("it2", "item")] == SocketType(Kind.INTEGER)


def test_a_string_collection_through_iterate_into_an_integer_input_is_refused_at_validation(registry):
    found = issues_of(registry, {"s": STRINGS, "it": "iterate", "sink": ("add", {"b": 1})},
                      ["s.collection -> it.collection", "it.item -> sink.a"])
    assert found == [("sink", "a", "link from it.item: string cannot connect to integer")]


def test_an_integer_collection_through_iterate_into_an_integer_input_is_valid(registry):
    assert issues_of(registry, {"s": INTEGERS, "it": "iterate", "sink": ("add", {"b": 1})},
                     ["s.collection -> it.collection", "it.item -> sink.a"]) == []


def test_an_item_of_unknown_type_may_go_anywhere(registry):
    """`index` gives `any`: nothing can be known before it runs."""
    assert issues_of(registry, {"s": STRINGS, "pick": "index", "it": "iterate", "sink": ("add", {"b": 1})},
                     ["s.collection -> pick.collection", "pick.item -> it.collection", "it.item -> sink.a"]) == []


def test_collect_output_takes_the_type_of_what_is_linked_into_it(registry):
    nodes = {"s": STRINGS, "it": "iterate", "c": "collect", "it2": "iterate", "sink": ("add", {"b": 1})}
    links = ["s.collection -> it.collection", "it.item -> c.item", "c.collection -> it2.collection",
             "it2.item -> sink.a"]
    assert infer_types(registry, Graph(build(nodes, links)))[("c", "collection")] == SocketType(
        Kind.STRING, Cardinality.COLLECTION)
    assert issues_of(registry, nodes, links) == [("sink", "a", "link from it2.item: string cannot connect to integer")]
    nodes["s"] = INTEGERS
    assert issues_of(registry, nodes, links) == []


def test_collect_fed_with_mixed_types_is_refused(registry):
    found = issues_of(registry, {"x": ("integer", {"value": 1}), "y": ("string", {"value": "a"}), "c": "collect"},
                      ["x.value -> c.item", "y.value -> c.item"])
    assert found == [("c", "item", "Collect gathers items of one type; it is fed integer (x.value) and string (y.value)")]
    assert issues_of(registry, {"x": ("integer", {"value": 1}), "y": ("integer", {"value": 2}), "c": "collect"},
                     ["x.value -> c.item", "y.value -> c.item"]) == []


def test_collect_fed_three_types_names_each_of_them_in_link_order(registry):
    found = issues_of(registry, {"x": ("integer", {"value": 1}), "y": ("string", {"value": "a"}),
                                 "z": ("float", {"value": 0.5}), "c": "collect"},
                      ["x.value -> c.item", "y.value -> c.item", "z.value -> c.item"])
    assert found == [("c", "item", "Collect gathers items of one type; it is fed integer (x.value), "
                                   "string (y.value) and float (z.value)")]


def test_reroute_passes_on_the_type_it_receives_along_a_chain(registry):
    nodes = {"s": ("string", {"value": "a"}), "r1": "reroute", "r2": "reroute", "sink": ("add", {"b": 1})}
    links = ["s.value -> r1.value", "r1.value -> r2.value", "r2.value -> sink.a"]
    assert infer_types(registry, Graph(build(nodes, links)))[("r2", "value")] == SocketType(Kind.STRING)
    assert issues_of(registry, nodes, links) == [("sink", "a", "link from r2.value: string cannot connect to integer")]
    nodes["s"] = ("integer", {"value": 4})
    assert issues_of(registry, nodes, links) == []


def test_linking_into_iterate_checks_the_links_already_leaving_it(registry):
    workflow = build({"s": STRINGS, "n": INTEGERS, "it": "iterate", "sink": ("add", {"b": 1})}, ["it.item -> sink.a"])
    reason = link_error(registry, workflow, edge("s.collection -> it.collection"))
    assert reason == ("it.item would then give string, and its link to sink.a breaks: "
                      "string cannot connect to integer")
    assert link_error(registry, workflow, edge("n.collection -> it.collection")) is None


def test_a_link_that_replaces_the_one_in_iterate_is_judged_on_its_own_type(registry):
    """Iterate takes one collection: a new link replaces the old one, so only the new type counts."""
    ints_in = build({"s": STRINGS, "n": INTEGERS, "it": "iterate", "sink": ("add", {"b": 1})},
                    ["n.collection -> it.collection", "it.item -> sink.a"])
    assert link_error(registry, ints_in, edge("s.collection -> it.collection")) is not None
    strings_in = build({"s": STRINGS, "n": INTEGERS, "it": "iterate", "r": "reroute", "sink": ("add", {"b": 1})},
                       ["s.collection -> it.collection", "it.item -> r.value"])
    assert link_error(registry, strings_in, edge("r.value -> sink.a")) == "string cannot connect to integer"
    assert link_error(registry, strings_in, edge("n.collection -> it.collection")) is None


def test_linking_a_second_type_into_collect_is_refused_where_it_is_dropped(registry):
    workflow = build({"x": ("integer", {"value": 1}), "y": ("string", {"value": "a"}),
                      "z": ("integer", {"value": 3}), "c": "collect"}, ["x.value -> c.item"])
    assert link_error(registry, workflow, edge("y.value -> c.item")) == (
        "Collect gathers items of one type; it is fed integer (x.value) and string (y.value)")
    assert link_error(registry, workflow, edge("z.value -> c.item")) is None


def test_linking_into_a_reroute_checks_the_chain_behind_it(registry):
    workflow = build({"s": ("string", {"value": "a"}), "r1": "reroute", "r2": "reroute", "sink": ("add", {"b": 1})},
                     ["r1.value -> r2.value", "r2.value -> sink.a"])
    assert "r2.value would then give string" in link_error(registry, workflow, edge("s.value -> r1.value"))


def test_run_refuses_the_mistyped_iterate_before_running_anything(tmp_path, capsys):
    path = tmp_path / "strings.json"
    save_workflow(build({"s": STRINGS, "it": "iterate", "sink": ("add", {"b": 1})},
                        ["s.collection -> it.collection", "it.item -> sink.a"]), path)
    code = main(["run", str(path), "--home", str(tmp_path / "home")])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.strip() == (f"error: {path}: node 'sink', field 'a': link from it.item: "
                           "string cannot connect to integer")
    assert "Traceback" not in err and out == ""
