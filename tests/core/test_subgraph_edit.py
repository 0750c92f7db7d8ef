"""Editing subgraphs as plain data: converting a selection, and changing a definition's ports."""

from nodeeditor.core.subgraph_edit import convert, replace_ports
from nodeeditor.core.workflow import Endpoint, InputPort, parse_workflow

INNER = {"name": "Inner", "nodes": [{"id": "a", "type": "add", "inputs": {"b": 1}}],
         "inputs": [{"name": "x", "targets": [{"node": "a", "field": "a"}]}],
         "outputs": [{"name": "value", "source": {"node": "a", "field": "value"}}]}


def link(src: str, dst: str) -> dict:
    (sn, sf), (dn, df) = src.split("."), dst.split(".")
    return {"source": {"node": sn, "field": sf}, "destination": {"node": dn, "field": df}}


def links(edges) -> list[str]:
    return sorted(f"{e.source.node}.{e.source.field} -> {e.destination.node}.{e.destination.field}" for e in edges)


def test_converting_puts_the_subgraph_node_at_the_centre_of_the_selection():
    flat = parse_workflow({"version": 2, "nodes": [
        {"id": "a", "type": "integer", "position": [100, 10]},
        {"id": "b", "type": "integer", "position": [300, 50]},
        {"id": "far", "type": "integer", "position": [900, 900]}]})
    change = convert(flat.nodes, flat.edges, ["a", "b"], node_id="g", definition_id="d", name="Pair")
    assert [n.position for n in change.add_nodes] == [(200.0, 30.0)]
    assert [n.position for n in change.definition.nodes] == [(0.0, 0.0), (200.0, 40.0)]


def test_converting_leaves_links_outside_the_selection_alone():
    flat = parse_workflow({"version": 2, "nodes": [
        {"id": "x", "type": "integer", "inputs": {"value": 2}}, {"id": "a", "type": "add", "inputs": {"b": 1}},
        {"id": "p", "type": "integer", "inputs": {"value": 7}}, {"id": "q", "type": "integer"}],
        "edges": [link("x.value", "a.a"), link("p.value", "q.value")]})
    change = convert(flat.nodes, flat.edges, ["a"], node_id="g", definition_id="d", name="Add")
    assert change.definition.outputs == []
    assert links(change.remove_edges) == ["x.value -> a.a"]
    assert links(change.add_edges) == ["x.value -> g.a"]


def test_renaming_a_port_moves_the_links_and_values_of_every_node_using_the_definition():
    root = parse_workflow({"version": 2, "nodes": [
        {"id": "n", "type": "integer", "inputs": {"value": 2}},
        {"id": "g", "type": "subgraph", "subgraph": "inner"},
        {"id": "h", "type": "subgraph", "subgraph": "inner", "inputs": {"x": 5}},
        {"id": "o", "type": "subgraph", "subgraph": "outer"},
        {"id": "y", "type": "integer"}],
        "edges": [link("n.value", "g.x"), link("g.value", "y.value"), link("n.value", "o.x")],
        "subgraphs": {"inner": INNER, "outer": {
            "name": "Outer", "nodes": [{"id": "k", "type": "integer"}, {"id": "i", "type": "subgraph", "subgraph": "inner"}],
            "edges": [link("k.value", "i.x")], "inputs": [{"name": "x", "targets": [{"node": "k", "field": "value"}]}]}}})
    amount = InputPort(name="amount", targets=[Endpoint(node="a", field="a")])
    after = replace_ports(root, "inner", [amount], [], renamed={"x": "amount"})
    assert links(after.edges) == ["n.value -> g.amount", "n.value -> o.x"]  # the removed output's link is gone
    assert {n.id: n.inputs for n in after.nodes} == {"n": {"value": 2}, "g": {}, "h": {"amount": 5}, "o": {}, "y": {}}
    assert links(after.subgraphs["outer"].edges) == ["k.value -> i.amount"]
    assert (after.subgraphs["inner"].inputs, after.subgraphs["inner"].outputs) == ([amount], [])
    assert links(root.edges) == ["g.value -> y.value", "n.value -> g.x", "n.value -> o.x"]  # the original is kept


def test_removing_a_port_drops_its_links_and_typed_values():
    root = parse_workflow({"version": 2, "nodes": [
        {"id": "n", "type": "integer", "inputs": {"value": 2}},
        {"id": "g", "type": "subgraph", "subgraph": "inner"},
        {"id": "h", "type": "subgraph", "subgraph": "inner", "inputs": {"x": 5}},
        {"id": "y", "type": "integer"}],
        "edges": [link("n.value", "g.x"), link("g.value", "y.value")],
        "subgraphs": {"inner": INNER}})
    after = replace_ports(root, "inner", [], list(root.subgraphs["inner"].outputs))
    assert links(after.edges) == ["g.value -> y.value"]
    assert {n.id: n.inputs for n in after.nodes} == {"n": {"value": 2}, "g": {}, "h": {}, "y": {}}
