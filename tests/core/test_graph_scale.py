"""Large and random graphs: ordering and cycle checks stay linear and always respect every link."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from nodeeditor.core.graph import Graph, link_error
from nodeeditor.core.validation import validate_graph
from nodeeditor.core.plan import ExecutionPlan
from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import Edge, Endpoint
from workflow_builder import build

WIDTH, LAYERS = 10, 200


def diamond(width=WIDTH, layers=LAYERS, extra_links=()):
    """`layers` layers of `width` Add nodes; each node adds two nodes of the layer above, so
    paths split and rejoin at every layer (the shape that makes path-walking cycle checks explode)."""
    nodes = {f"n0_{j}": ("integer", {"value": j}) for j in range(width)}
    links = []
    for k in range(1, layers):
        for j in range(width):
            nodes[f"n{k}_{j}"] = "add"
            links += [f"n{k - 1}_{j}.value -> n{k}_{j}.a", f"n{k - 1}_{(j + 1) % width}.value -> n{k}_{j}.b"]
    return build(nodes, links + list(extra_links))


def test_a_2000_node_diamond_graph_validates_and_orders():
    workflow = diamond()
    assert len(workflow.nodes) == 2000
    registry = default_registry()
    assert validate_graph(workflow, registry) == []
    order = ExecutionPlan(workflow, registry).order
    assert order[:WIDTH] == [f"n0_{j}" for j in range(WIDTH)] and order[-1] == f"n{LAYERS - 1}_{WIDTH - 1}"


def test_a_cycle_in_the_2000_node_diamond_graph_is_found():
    workflow = diamond(extra_links=[f"n{LAYERS - 1}_3.value -> n0_7.value"])
    [issue] = validate_graph(workflow, default_registry())
    assert (issue.node, issue.field) == ("n0_7", "value")
    assert "closes a cycle" in issue.message


def test_link_check_on_the_diamond_graph_sees_the_cycle_a_new_link_would_make():
    graph = Graph(diamond())
    back = Edge(source=Endpoint(node=f"n{LAYERS - 1}_0", field="value"), destination=Endpoint(node="n0_0", field="value"))
    assert link_error(default_registry(), graph, back) == "the link would create a cycle"


@st.composite
def dags(draw):
    """A random DAG of Collect nodes (they take any number of links), listed in shuffled order."""
    size = draw(st.integers(1, 40))
    pairs = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)), max_size=120))
    links = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b})
    order = list(range(size))
    random.Random(draw(st.integers(0, 2**32))).shuffle(order)
    nodes = {f"c{i}": "collect" for i in order}
    return build(nodes, [f"c{a}.collection -> c{b}.item" for a, b in links])


@settings(max_examples=150, deadline=None)
@given(dags())
def test_topological_order_respects_every_link(workflow):
    order = Graph(workflow).topological_order()
    position = {nid: i for i, nid in enumerate(order)}
    assert sorted(order) == sorted(n.id for n in workflow.nodes)
    assert all(position[e.source.node] < position[e.destination.node] for e in workflow.edges)
