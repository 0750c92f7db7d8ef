"""Validation, planning, running and the link cycle check on a 2,000-node layered diamond graph.

Every node of a layer adds two nodes of the layer above, so paths split and rejoin at each layer:
the shape on which cycle checks that walk paths explode. Prints one JSON object (milliseconds,
best of a few repeats): validate_ms, plan_ms (validation + order + iteration scopes), run_ms (the
in-process runner) and cycle_check_ms (refusing a link from the last layer back to the first).
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable

from nodeeditor.core.graph import Graph, link_error
from nodeeditor.core.validation import validate_graph
from nodeeditor.core.plan import ExecutionPlan
from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import Edge, Endpoint, Workflow, parse_workflow
from nodeeditor.engine.runner import run_workflow

WIDTH, LAYERS = 10, 200
REPEATS = 5


def layered_diamond(width: int = WIDTH, layers: int = LAYERS) -> Workflow:
    nodes: list[dict[str, Any]] = [{"id": f"n0_{j}", "type": "integer", "inputs": {"value": j}} for j in range(width)]
    edges: list[dict[str, Any]] = []
    for k in range(1, layers):
        for j in range(width):
            nodes.append({"id": f"n{k}_{j}", "type": "add"})
            for field, source in (("a", j), ("b", (j + 1) % width)):
                edges.append({"source": {"node": f"n{k - 1}_{source}", "field": "value"},
                              "destination": {"node": f"n{k}_{j}", "field": field}})
    return parse_workflow({"version": 1, "nodes": nodes, "edges": edges})


def best_ms(action: Callable[[], Any]) -> float:
    times = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return round(min(times) * 1000, 3)


def main() -> None:
    registry = default_registry()
    workflow = layered_diamond()
    assert len(workflow.nodes) == WIDTH * LAYERS
    graph = Graph(workflow)
    back = Edge(source=Endpoint(node=f"n{LAYERS - 1}_0", field="value"),
                destination=Endpoint(node="n0_0", field="value"))
    assert link_error(registry, graph, back) == "the link would create a cycle"
    result = run_workflow(workflow, registry, artifacts=None)
    assert result.status == "completed"
    print(json.dumps({
        "nodes": len(workflow.nodes), "edges": len(workflow.edges),
        "validate_ms": best_ms(lambda: validate_graph(workflow, registry)),
        "plan_ms": best_ms(lambda: ExecutionPlan(workflow, registry)),
        "run_ms": best_ms(lambda: run_workflow(workflow, registry, artifacts=None)),
        "cycle_check_ms": best_ms(lambda: link_error(registry, graph, back)),
    }))


if __name__ == "__main__":
    main()
