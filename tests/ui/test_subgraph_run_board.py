"""A subgraph node on the run board: progress is the share of its nodes done, time their total."""

from collections import Counter

from nodeeditor.core.registry import default_registry
from nodeeditor.core.subgraph import flatten
from nodeeditor.core.workflow import parse_workflow
from nodeeditor.engine.events import NodeCompleted, NodeStarted
from nodeeditor.engine.runner import run_workflow
from nodeeditor.ui.run_state import DONE, RUNNING, RunBoard

WORKFLOW = {"version": 2, "nodes": [
    {"id": "n", "type": "integer", "inputs": {"value": 2}},
    {"id": "g1", "type": "subgraph", "subgraph": "two"}],
    "edges": [{"source": {"node": "n", "field": "value"}, "destination": {"node": "g1", "field": "x"}}],
    "subgraphs": {"two": {"name": "Two adds", "nodes": [
        {"id": "a", "type": "add", "inputs": {"b": 1}}, {"id": "b", "type": "add", "inputs": {"b": 1}}],
        "edges": [{"source": {"node": "a", "field": "value"}, "destination": {"node": "b", "field": "a"}}],
        "inputs": [{"name": "x", "targets": [{"node": "a", "field": "a"}]}],
        "outputs": [{"name": "value", "source": {"node": "b", "field": "value"}}]}}}


def test_inner_events_land_on_the_subgraph_node_with_progress_and_total_time():
    workflow = parse_workflow(WORKFLOW)
    board = RunBoard()
    board.begin([n.id for n in workflow.nodes], Counter(flatten(workflow).owner().values()))
    events = []
    run_workflow(workflow, default_registry(), artifacts=None, on_event=events.append)
    inner = [e for e in events if getattr(e, "node_id", "").startswith("g1/")]
    assert {e.node_id for e in inner} == {"g1/a", "g1/b"}
    seen = []
    for event in events:
        if board.apply(event) == "g1":
            run = board.nodes["g1"]
            seen.append((type(event).__name__, run.status, run.progress))
    assert seen[:3] == [("NodeStarted", RUNNING, 0.0), ("NodeCompleted", RUNNING, 0.5), ("NodeStarted", RUNNING, 0.5)]
    assert seen[-1] == ("NodeCompleted", DONE, None)
    total = sum(e.duration_s for e in inner if isinstance(e, NodeCompleted))
    assert board.nodes["g1"].total_s == total and board.nodes["g1"].badge()[0] == DONE
    assert set(board.heat()) <= {"n", "g1"} and abs(sum(board.heat().values()) - 1) < 1e-9
    assert not any(isinstance(e, NodeStarted) and e.node_id == "g1" for e in events)
