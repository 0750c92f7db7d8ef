"""Inside a subgraph the engine works as outside: the output cache reuses inner results (only what
an edit reaches runs again) and a cancel stops the session at the inner node that is running."""

from __future__ import annotations

import threading
import time

import worker_nodes
from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import parse_workflow
from nodeeditor.engine.cache import OutputCache
from nodeeditor.engine.events import NodeCompleted, NodeStarted
from nodeeditor.engine.runner import run_workflow

COUNTED = {
    "name": "Counted", "nodes": [
        {"id": "x", "type": "testq_count", "inputs": {"extra": 1}},
        {"id": "y", "type": "testq_count", "inputs": {"extra": 10}},
        {"id": "z", "type": "testq_count", "inputs": {"extra": 100}}],
    "edges": [{"source": {"node": "x", "field": "value"}, "destination": {"node": "y", "field": "value"}}],
    "inputs": [{"name": "start", "targets": [{"node": "x", "field": "value"}]},
               {"name": "other", "targets": [{"node": "z", "field": "value"}]}],
    "outputs": [{"name": "chain", "source": {"node": "y", "field": "value"}},
                {"name": "side", "source": {"node": "z", "field": "value"}}],
}


def counted(y_extra: int = 10, other: int = 5) -> dict:
    definition = {**COUNTED, "nodes": [dict(n, inputs=dict(n["inputs"])) for n in COUNTED["nodes"]]}
    definition["nodes"][1]["inputs"]["extra"] = y_extra
    return {"version": 2, "nodes": [
        {"id": "n", "type": "integer", "inputs": {"value": 2}},
        {"id": "g1", "type": "subgraph", "subgraph": "counted", "inputs": {"other": other}}],
        "edges": [{"source": {"node": "n", "field": "value"}, "destination": {"node": "g1", "field": "start"}}],
        "subgraphs": {"counted": definition}}


def run(data: dict, cache: OutputCache, events: list | None = None):
    worker_nodes.CALLS.clear()
    result = run_workflow(parse_workflow(data), default_registry(), artifacts=None, cache=cache,
                          on_event=(events if events is not None else []).append)
    assert result.status == "completed", result.error
    return result, dict(worker_nodes.CALLS)


def test_a_second_run_of_an_unchanged_subgraph_takes_every_inner_result_from_the_cache():
    cache = OutputCache()
    first, calls = run(counted(), cache)
    assert calls == {"g1/x": 1, "g1/y": 1, "g1/z": 1}
    events: list = []
    second, calls = run(counted(), cache, events)
    assert calls == {}
    done = {e.node_id: e.cached for e in events if isinstance(e, NodeCompleted)}
    assert done == {"n": True, "g1/x": True, "g1/y": True, "g1/z": True}
    assert second.outputs["g1/y"] == first.outputs["g1/y"] == {(): {"value": 2 + 1 + 10}}


def test_an_inner_input_changed_reruns_only_that_node_and_what_it_feeds():
    cache = OutputCache()
    run(counted(), cache)
    result, calls = run(counted(y_extra=20), cache)
    assert calls == {"g1/y": 1}
    assert result.outputs["g1/y"] == {(): {"value": 2 + 1 + 20}}
    result, calls = run(counted(y_extra=20, other=6), cache)  # a port value reaches only its target
    assert calls == {"g1/z": 1}
    assert result.outputs["g1/z"] == {(): {"value": 6 + 100}}


SLEEPY = {"version": 2, "nodes": [
    {"id": "n", "type": "integer", "inputs": {"value": 1}},
    {"id": "g1", "type": "subgraph", "subgraph": "slow"}],
    "edges": [{"source": {"node": "n", "field": "value"}, "destination": {"node": "g1", "field": "x"}}],
    "subgraphs": {"slow": {"name": "Slow", "nodes": [
        {"id": "wait", "type": "testq_sleep", "inputs": {"seconds": 30.0}},
        {"id": "after", "type": "testq_count", "inputs": {"extra": 1}}],
        "edges": [{"source": {"node": "wait", "field": "value"}, "destination": {"node": "after", "field": "value"}}],
        "inputs": [{"name": "x", "targets": [{"node": "wait", "field": "value"}]}],
        "outputs": [{"name": "value", "source": {"node": "after", "field": "value"}}]}}}


def test_a_cancel_stops_the_inner_node_that_runs_and_nothing_after_it_starts():
    cancel = threading.Event()
    events: list = []

    def watch(event) -> None:
        events.append(event)
        if isinstance(event, NodeStarted) and event.node_id == "g1/wait":
            threading.Timer(0.2, cancel.set).start()

    worker_nodes.CALLS.clear()
    began = time.monotonic()
    result = run_workflow(parse_workflow(SLEEPY), default_registry(), artifacts=None, on_event=watch, cancel=cancel)
    assert result.status == "canceled"
    assert time.monotonic() - began < 10
    assert [s.status for s in result.stats if s.node_id == "g1/wait"] == ["canceled"]
    assert not any(getattr(e, "node_id", None) == "g1/after" for e in events) and not worker_nodes.CALLS
