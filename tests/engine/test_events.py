"""Events: plain objects inside a process, validated JSON across one; summaries made on demand."""

from __future__ import annotations

import gc
import json

import pytest

from nodeeditor.core.registry import default_registry
from nodeeditor.engine import events as ev
from nodeeditor.engine.runner import run_workflow
from workflow_builder import build

EXAMPLES = [
    ev.SessionStarted(session_id="s", item_id=3, batch_id=1, nodes=4),
    ev.NodeStarted(session_id="s", node_id="a", instance_id="a[0]", node_type="add", copies=2),
    ev.NodeProgress(session_id="s", node_id="a", instance_id="a", fraction=0.5, message="half"),
    ev.NodeCompleted(session_id="s", node_id="a", instance_id="a", node_type="add", duration_s=0.25,
                     peak_rss=7, cached=True, outputs={"value": "3"}, images=["x.png"]),
    ev.NodeFailed(session_id=None, node_id="a", instance_id="a", node_type="add", error="boom", traceback="tb"),
    ev.SessionCompleted(session_id="s", item_id=3, status="failed", duration_s=1.5, error="boom",
                        stats={"nodes": 2, "images": ["x.png"]}),
    ev.QueueChanged(counts={"pending": 3}),
    ev.MemorySample(rss=1024, vram=None),
]


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.event)
def test_every_event_crosses_a_process_boundary_unchanged(event):
    line = event.to_json()
    assert "\n" not in line
    assert ev.from_json(line) == event
    assert ev.from_json(line.encode()) == event


@pytest.mark.parametrize("line", [
    '{"event": "node_started", "session_id": "s"}',  # fields missing
    '{"event": "session_completed", "session_id": "s", "status": "exploded"}',  # not a status
    '{"event": "no_such_event"}',
    '{"event": "memory_sample", "rss": "lots"}',
    'not json',
])
def test_what_comes_from_another_process_is_validated(line):
    with pytest.raises(ValueError):
        ev.from_json(line)


class Counted:
    """A value that counts how often it is shown."""

    shown = 0

    def __repr__(self) -> str:
        Counted.shown += 1
        return "counted"


def test_an_output_summary_is_made_only_when_someone_reads_it():
    Counted.shown = 0
    summaries = ev.Summaries({"value": Counted(), "n": 5}, repr)
    event = ev.NodeCompleted(session_id=None, node_id="a", instance_id="a", node_type="t", duration_s=0.0,
                             outputs=summaries)
    assert Counted.shown == 0 and len(event.outputs) == 2
    assert dict(event.outputs) == {"value": "counted", "n": "5"}
    assert event.outputs["value"] == "counted" and Counted.shown == 1
    assert json.loads(event.to_json())["outputs"] == {"value": "counted", "n": "5"}
    assert Counted.shown == 1


def test_a_pickled_event_carries_the_summaries_not_the_outputs():
    import pickle

    Counted.shown = 0
    event = ev.NodeCompleted(session_id=None, node_id="a", instance_id="a", node_type="t", duration_s=0.0,
                             outputs=ev.Summaries({"value": Counted()}, repr))
    copy = pickle.loads(pickle.dumps(event))
    assert copy == event and type(copy.outputs) is dict and copy.outputs == {"value": "counted"}
    assert b"Counted" not in pickle.dumps(event)


def test_the_runner_summarizes_outputs_for_listeners_that_read_them():
    registry = default_registry()
    seen = []
    result = run_workflow(build({"x": ("integer", {"value": 4}), "d": ("add", {"b": 3})}, ["x.value -> d.a"]),
                          registry, artifacts=None, on_event=seen.append)
    assert result.status == "completed"
    done = {e.node_id: e for e in seen if isinstance(e, ev.NodeCompleted)}
    assert dict(done["d"].outputs) == {"value": "7"}
    assert ev.from_json(done["d"].to_json()).outputs == {"value": "7"}


def test_a_run_leaves_the_collector_as_it_found_it_even_when_a_node_fails():
    registry = default_registry()
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    result = run_workflow(build({"x": ("integer", {"value": 1}), "d": ("divide", {"b": 0})}, ["x.value -> d.a"]),
                          registry, artifacts=None)
    assert result.status == "failed"
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
