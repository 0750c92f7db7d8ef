"""Plan + run cost per node of trivial nodes, beside the bare limits measured in the same run.

The chain is Integer -> Add -> Add -> ...; the wide graph is one Integer feeding 9,999 Add nodes.
Each figure is the best of a few runs of `run_workflow` (validation, plan, events to a listener,
per-node figures). The bare limits, per node, on the same graph and machine:
- bare_loop: a plain Python interpreter of the graph (topological order, a dict of results,
  a function call per node), no validation, events or figures;
- bare_merkle: one Merkle cache key (canonical JSON of the node's own inputs and its parent's key,
  blake2b), what the output cache needs per node;
- bare_pydantic: validating the node's inputs with its pydantic model once.
Targets: <= 10 us per node, or <= 1x the sum of the three (the ratios); growth_ratio (per node,
10,000-node chain against 1,000) <= 1.10. gc_default_* is the chain run with CPython's collector
settings instead of the engine's (engine/quiet_gc.py), to show what that buys.
Figures are this process's CPU time (time.process_time, all its threads), best of a few runs, so
other processes on a shared machine do not count; *_wall_us_per_node give wall time beside them.
Prints one JSON object.

subgraph_overhead compares 100 subgraph nodes of 100 inner nodes each (a chain of Adds inside each,
the subgraphs chained too) with the same 10,000 nodes drawn flat: flattening when the session is
planned must add <= 10 % to plan + run. The two graphs run in alternating turns and each figure is
the best CPU time of its turns (subgraph_overhead_median: the median ratio of neighbouring turns).
flatten_share is flattening alone over the flat plan + run: the part of the overhead that is not noise.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from typing import Any, Callable

from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import Workflow, parse_workflow
from nodeeditor.engine import runner
from nodeeditor.engine.meter import Meter
from nodeeditor.engine.runner import run_workflow

SIZE = 10_000
REPEATS = 5


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


WALL: dict[str, float] = {}


def best_us_per_node(fn: Callable[[], Any], nodes: int, label: str = "") -> float:
    best = wall = float("inf")
    for _ in range(REPEATS):
        began, cpu = time.perf_counter(), time.process_time()
        fn()
        best = min(best, time.process_time() - cpu)
        wall = min(wall, time.perf_counter() - began)
    if label:
        WALL[label] = round(wall / nodes * 1e6, 2)
    return best / nodes * 1e6


def engine_us(workflow: Workflow, meter: Meter, label: str = "") -> float:
    registry = default_registry()

    def once() -> None:
        events: list[Any] = []
        result = run_workflow(workflow, registry, artifacts=None, on_event=events.append, meter=meter)
        assert result.status == "completed", result.error

    return best_us_per_node(once, len(workflow.nodes), label)


def _graph(workflow: Workflow) -> list[tuple[str, str, dict[str, Any], list[tuple[str, str, str]]]]:
    links: dict[str, list[tuple[str, str, str]]] = {n.id: [] for n in workflow.nodes}
    for e in workflow.edges:
        links[e.destination.node].append((e.destination.field, e.source.node, e.source.field))
    return [(n.id, n.type, dict(n.inputs), links[n.id]) for n in workflow.nodes]  # file order is topological


def bare_loop_us(workflow: Workflow) -> float:
    graph = _graph(workflow)
    functions = {"integer": lambda value=0: {"value": value}, "add": lambda a=0, b=0: {"value": a + b}}

    def once() -> None:
        results: dict[str, dict[str, Any]] = {}
        for nid, kind, direct, links in graph:
            inputs = dict(direct)
            for field, parent, out in links:
                inputs[field] = results[parent][out]
            results[nid] = functions[kind](**inputs)

    return best_us_per_node(once, len(graph))


def bare_merkle_us(workflow: Workflow) -> float:
    graph = _graph(workflow)

    def once() -> None:
        keys: dict[str, str] = {}
        for nid, kind, direct, links in graph:
            payload = {"type": kind, "direct": direct, "sources": [[f, keys[p], o] for f, p, o in links]}
            text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
            keys[nid] = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    return best_us_per_node(once, len(graph))


def bare_pydantic_us(workflow: Workflow) -> float:
    registry = default_registry()
    calls = [(registry.get(n.type).cls, {**n.inputs, **({"a": 1} if n.type == "add" else {})})
             for n in workflow.nodes]

    def once() -> None:
        for cls, inputs in calls:
            cls.model_validate(inputs)

    return best_us_per_node(once, len(calls))


def nested(outer: int, inner: int) -> Workflow:
    """`outer` subgraph nodes in a chain, each a chain of `inner` Adds behind one port."""
    def link(src: str, dst: str) -> dict[str, Any]:
        return {"source": {"node": src, "field": "value"}, "destination": {"node": dst, "field": "a"}}

    definition = {
        "name": "Add chain", "nodes": [{"id": f"a{i}", "type": "add", "inputs": {"b": 1}} for i in range(inner)],
        "edges": [link(f"a{i - 1}", f"a{i}") for i in range(1, inner)],
        "inputs": [{"name": "x", "targets": [{"node": "a0", "field": "a"}]}],
        "outputs": [{"name": "value", "source": {"node": f"a{inner - 1}", "field": "value"}}],
    }
    nodes: list[dict[str, Any]] = [{"id": "n0", "type": "integer", "inputs": {"value": 0}}]
    nodes += [{"id": f"g{i}", "type": "subgraph", "subgraph": "chain"} for i in range(outer)]
    edges = [{"source": {"node": "n0", "field": "value"}, "destination": {"node": "g0", "field": "x"}}]
    edges += [{"source": {"node": f"g{i - 1}", "field": "value"}, "destination": {"node": f"g{i}", "field": "x"}}
              for i in range(1, outer)]
    return parse_workflow({"version": 2, "nodes": nodes, "edges": edges, "subgraphs": {"chain": definition}})


def subgraph_overhead(meter: Meter, outer: int = 100, inner: int = 100, pairs: int = 11) -> dict[str, float]:
    """Plan + run of `nested` against the same nodes drawn flat (ids g3_a7 for g3/a7).

    The two run in turns (grouped, flat, flat, grouped, ...) so that a change in the machine's load
    falls on both; each figure is the best CPU time of its runs, and the ratio of the two bests
    is the overhead. `subgraph_overhead_median` is the median of the ratios of neighbouring runs,
    a second reading that one lucky run cannot move."""
    from nodeeditor.core.subgraph import flatten

    registry = default_registry()
    grouped = nested(outer, inner)
    flattened = flatten(grouped).workflow
    flat = parse_workflow({"version": 2, "nodes": [
        {"id": n.id.replace("/", "_"), "type": n.type, "inputs": n.inputs} for n in flattened.nodes], "edges": [
        {"source": {"node": e.source.node.replace("/", "_"), "field": e.source.field},
         "destination": {"node": e.destination.node.replace("/", "_"), "field": e.destination.field}}
        for e in flattened.edges]})

    def cpu(workflow: Workflow) -> float:
        began = time.process_time()
        result = run_workflow(workflow, registry, artifacts=None, on_event=[].append, meter=meter)
        assert result.status == "completed", result.error
        return time.process_time() - began

    cpu(grouped), cpu(flat)  # warm both
    grouped_s: list[float] = []
    flat_s: list[float] = []
    for i in range(pairs):
        order = ((grouped, grouped_s), (flat, flat_s)) if i % 2 == 0 else ((flat, flat_s), (grouped, grouped_s))
        for workflow, times in order:
            times.append(cpu(workflow))
    ratios = sorted(g / f for g, f in zip(grouped_s, flat_s))
    nodes = len(flat.nodes)

    def flatten_as_planned() -> None:  # a session plans inside the engine's collector settings
        with runner.quiet_gc():
            flatten(grouped)

    flatten_us = best_us_per_node(flatten_as_planned, nodes)
    flat_us, grouped_us = min(flat_s) / nodes * 1e6, min(grouped_s) / nodes * 1e6
    return {"subgraph_flat_us_per_node": round(flat_us, 2), "subgraph_us_per_node": round(grouped_us, 2),
            "flatten_us_per_node": round(flatten_us, 2), "subgraph_overhead": round(grouped_us / flat_us - 1, 4),
            "subgraph_overhead_median": round(ratios[len(ratios) // 2] - 1, 4),
            "flatten_share": round(flatten_us / flat_us, 4)}


def main() -> None:
    meter = Meter()
    big, small, broad = chain(SIZE), chain(SIZE // 10), wide(SIZE)
    engine_us(small, meter)  # warm up imports and caches
    chain_us = engine_us(big, meter, "chain_wall_us_per_node")
    small_chain_us = engine_us(small, meter)
    wide_us = engine_us(broad, meter, "wide_wall_us_per_node")
    quiet = runner.quiet_gc
    runner.quiet_gc = contextlib.nullcontext
    try:
        gc_default_us = engine_us(big, meter)
    finally:
        runner.quiet_gc = quiet
    loop, merkle, pyd = bare_loop_us(big), bare_merkle_us(big), bare_pydantic_us(big)
    bare = loop + merkle + pyd
    print(json.dumps({
        "chain_us_per_node": round(chain_us, 2),
        "wide_us_per_node": round(wide_us, 2),
        "chain_1000_us_per_node": round(small_chain_us, 2),
        "growth_ratio": round(chain_us / small_chain_us, 3),
        "bare_loop_us_per_node": round(loop, 2),
        "bare_merkle_us_per_node": round(merkle, 2),
        "bare_pydantic_us_per_node": round(pyd, 2),
        "bare_sum_us_per_node": round(bare, 2),
        "chain_ratio_to_bare_sum": round(chain_us / bare, 3),
        "wide_ratio_to_bare_sum": round(wide_us / bare, 3),
        "chain_us_per_node_gc_default": round(gc_default_us, 2),
        **subgraph_overhead(meter),
        **WALL,
    }))


if __name__ == "__main__":
    main()
