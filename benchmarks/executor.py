"""Plan + run cost per node on a 10,000-node chain and a 10,000-node wide graph of trivial nodes.

The chain is Integer -> Add -> Add -> ...; the wide graph is one Integer feeding 9,999 Add nodes.
Each figure is the best of a few runs of `run_workflow` (validation, plan, cache keys, events to a
listener, per-node figures). growth_ratio compares the chain at 10,000 nodes with 1,000 nodes,
per node (1.0 is perfectly linear; the target is a 10x bigger graph costing <= 11x the time).
Prints one JSON object; target <= 20 us per node.
"""

from __future__ import annotations

import json
import time
from typing import Any

from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import Workflow, parse_workflow
from nodeeditor.engine.runner import run_workflow

SIZE = 10_000
REPEATS = 3


def chain(size: int) -> Workflow:
    nodes: list[dict[str, Any]] = [{"id": "n0", "type": "integer", "inputs": {"value": 0}}]
    nodes += [{"id": f"n{i}", "type": "add", "inputs": {"b": 1}} for i in range(1, size)]
    edges = [{"source": {"node": f"n{i - 1}", "field": "value"}, "destination": {"node": f"n{i}", "field": "a"}}
             for i in range(1, size)]
    return parse_workflow({"version": 1, "nodes": nodes, "edges": edges})


def wide(size: int) -> Workflow:
    nodes: list[dict[str, Any]] = [{"id": "n0", "type": "integer", "inputs": {"value": 1}}]
    nodes += [{"id": f"n{i}", "type": "add", "inputs": {"b": i}} for i in range(1, size)]
    edges = [{"source": {"node": "n0", "field": "value"}, "destination": {"node": f"n{i}", "field": "a"}}
             for i in range(1, size)]
    return parse_workflow({"version": 1, "nodes": nodes, "edges": edges})


def us_per_node(workflow: Workflow) -> float:
    registry = default_registry()
    best = float("inf")
    for _ in range(REPEATS):
        events: list[Any] = []
        began = time.perf_counter()
        result = run_workflow(workflow, registry, artifacts=None, on_event=events.append)
        best = min(best, time.perf_counter() - began)
        assert result.status == "completed", result.error
    return best / len(workflow.nodes) * 1e6


def main() -> None:
    chain_us = us_per_node(chain(SIZE))
    small_chain_us = us_per_node(chain(SIZE // 10))
    print(json.dumps({
        "chain_us_per_node": round(chain_us, 2),
        "wide_us_per_node": round(us_per_node(wide(SIZE)), 2),
        "growth_ratio": round(chain_us / small_chain_us, 3),
    }))


if __name__ == "__main__":
    main()
