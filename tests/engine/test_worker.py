"""The worker runs queued sessions, keeps going after failures, caches across sessions, cancels."""

from __future__ import annotations

import threading
import time

import pytest

import worker_nodes
from nodeeditor.engine.events import NodeStarted, QueueChanged, SessionCompleted, SessionStarted
from nodeeditor.store.status import SessionStatus

CANCELED, COMPLETED, FAILED, PENDING = (SessionStatus.CANCELED, SessionStatus.COMPLETED, SessionStatus.FAILED,
                                        SessionStatus.PENDING)
from workflow_builder import build

from nodeeditor.core.batch import Batch

from .conftest import axis_batch


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def chain():
    """up (counted) -> down (counted): a batch over down.extra leaves up's inputs unchanged."""
    return build({"up": ("testq_count", {"value": 1}), "down": ("testq_count", {})}, ["up.value -> down.value"])


def test_a_batch_runs_to_the_end_with_results_and_stats(store, worker):
    store.queue.enqueue(chain(), axis_batch("down", "extra", [10, 20, 30]))
    assert worker.run_until_empty() == {"completed": 3, "failed": 0, "canceled": 0}
    rows = store.queue.list_items()
    assert [r.summary["outputs"] for r in rows] == [{"down.value": "11"}, {"down.value": "21"}, {"down.value": "31"}]
    assert [len(store.stats.for_item(r.item_id)) for r in rows] == [2, 2, 2]
    assert {s.node_type: s.calls for s in store.stats.by_node_type()} == {"testq_count": 6}


def test_varying_only_a_downstream_field_runs_the_upstream_node_once(store, worker):
    store.queue.enqueue(chain(), axis_batch("down", "extra", list(range(5))))
    worker.run_until_empty()
    (counted,) = store.stats.by_node_type()
    assert (counted.calls, counted.cache_hits) == (10, 4)


def test_a_node_that_opts_out_of_the_cache_runs_every_session(store, worker):
    store.queue.enqueue(build({"s": ("testq_sleep", {"value": 1})}), axis_batch("s", "seconds", [0.0], runs=3))
    worker.run_until_empty()
    (sleepy,) = store.stats.by_node_type()
    assert (sleepy.calls, sleepy.cache_hits) == (3, 0)


def test_a_failing_node_fails_only_its_session_and_keeps_the_stats_of_the_nodes_that_ran(store, worker):
    flow = build({"a": ("testq_count", {"value": 1}), "f": ("testq_fail", {"bad": 2})}, ["a.value -> f.value"])
    store.queue.enqueue(flow, axis_batch("a", "extra", [0, 1, 2]))
    assert worker.run_until_empty() == {"completed": 2, "failed": 1, "canceled": 0}
    failed = store.queue.list_items(status=FAILED)[0]
    assert failed.index == 1 and "'f'" in failed.error and "value 2 is bad" in failed.error
    assert "RuntimeError" in failed.traceback
    assert [(s.node_id, s.status) for s in store.stats.for_item(failed.item_id)] == [("a", "completed"), ("f", "failed")]
    assert store.stats.sessions(item_id=failed.item_id)[0].status == FAILED


def test_events_reach_subscribers_with_the_session_id(store, worker):
    events = []
    worker.subscribe(events.append)
    store.queue.enqueue(chain(), axis_batch("down", "extra", [1, 2]))
    worker.run_until_empty()
    assert worker.hub.flush()
    started = [e for e in events if isinstance(e, SessionStarted)]
    completed = [e for e in events if isinstance(e, SessionCompleted)]
    assert len(started) == len(completed) == 2 and all(e.status == COMPLETED for e in completed)
    assert {e.session_id for e in events if isinstance(e, NodeStarted)} == {e.session_id for e in started}
    assert [e for e in events if isinstance(e, QueueChanged)][-1].counts[COMPLETED] == 2


def test_a_long_nodes_start_is_heard_while_it_runs_also_after_the_worker_idled(store, worker):
    """The session process sends events in bundles, on a tick that sleeps while it idles."""
    started = threading.Event()
    worker.subscribe(lambda event: started.set() if isinstance(event, NodeStarted) else None)
    worker.start()
    wait_for(lambda: worker.state == "idle")
    time.sleep(1.5)  # past the second after which the session process stops ticking
    sleepy_batch(store, 1, seconds=3.0)
    worker.wake()
    assert started.wait(2.0), "the node's start was not heard while it ran"
    assert store.queue.counts()[COMPLETED] == 0


def test_a_slow_subscriber_never_holds_the_worker_back(store, worker):
    release = threading.Event()
    worker.subscribe(lambda _event: release.wait())
    store.queue.enqueue(chain(), axis_batch("down", "extra", list(range(20))))
    assert worker.run_until_empty()["completed"] == 20
    release.set()
    assert worker.hub.flush()


def sleepy_batch(store, count: int, seconds: float = 5.0) -> None:
    store.queue.enqueue(build({"s": ("testq_sleep", {"seconds": seconds})}), axis_batch("s", "value", list(range(count))))


def test_cancel_current_stops_the_running_session_and_the_worker_moves_on(store, worker):
    sleepy_batch(store, 2)
    worker.start()
    wait_for(lambda: worker.current is not None)
    first = worker.current
    assert worker.cancel_current()
    wait_for(lambda: worker.current not in (None, first))
    assert store.queue.get(first).status == CANCELED
    assert [s.status for s in store.stats.for_item(first)] == [CANCELED]


def test_a_cancel_asked_through_the_store_reaches_the_running_session(store, worker):
    sleepy_batch(store, 1)
    worker.start()
    wait_for(lambda: worker.current is not None)
    store.queue.cancel_item(worker.current)
    wait_for(lambda: store.queue.counts()[CANCELED] == 1)


def test_pause_lets_the_running_session_finish_and_takes_no_more_until_resume(store, worker):
    sleepy_batch(store, 3, seconds=0.2)
    worker.start()
    wait_for(lambda: worker.current is not None)
    worker.pause()
    wait_for(lambda: worker.state == "paused")
    assert store.queue.counts()[COMPLETED] == 1 and store.queue.counts()[PENDING] == 2
    worker.resume()
    wait_for(lambda: store.queue.counts()[COMPLETED] == 3)
    wait_for(lambda: worker.state == "idle")


def test_stop_gives_the_running_session_back_to_the_queue(store, worker):
    sleepy_batch(store, 1)
    worker.start()
    wait_for(lambda: worker.current is not None)
    worker.stop()
    assert worker.state == "stopped"
    assert store.queue.counts()[PENDING] == 1


@pytest.mark.parametrize("how", ["pause", "stop"])
def test_the_session_claimed_ahead_goes_back_unstarted_when_the_worker_pauses_or_stops(store, worker, monkeypatch,
                                                                                     how):
    """While the child runs a session, the worker writes the previous one's outcome and claims
    the next in the same transaction. A pause or a stop that comes right then: the running session
    finishes (pause) or goes back (stop), and the one claimed ahead goes back unstarted, pending,
    with its attempt unspent."""
    sleepy_batch(store, 3, seconds=0.05)
    held = []
    finish_then_claim = worker.door.finish_then_claim

    def and_then(*args):
        written, following = finish_then_claim(*args)
        held.append(following)
        worker.pause() if how == "pause" else worker.request_stop()
        return written, following
    monkeypatch.setattr(worker.door, "finish_then_claim", and_then)
    worker.start()
    wait_for(lambda: held and held[0] is not None and store.queue.get(held[0].item_id).status == PENDING)
    wait_for(lambda: worker.state == ("paused" if how == "pause" else "stopped"))
    assert len(held) == 1 and held[0].index == 2
    assert store.queue.get(held[0].item_id).attempt == held[0].attempt
    assert store.stats.for_item(held[0].item_id) == []
    counts = store.queue.counts()
    assert (counts[COMPLETED], counts[PENDING]) == ((2, 1) if how == "pause" else (1, 2))
    if how == "pause":
        worker.resume()
        wait_for(lambda: store.queue.counts()[COMPLETED] == 3)


def test_the_session_claimed_ahead_of_a_long_one_goes_back_at_its_first_lease_renewal(store, registry):
    """Short sessions are claimed one ahead; behind a session that turns out long, the next one
    is not kept from other workers for longer than a third of a lease."""
    from nodeeditor.engine.worker import Worker

    store.queue.enqueue(build({"s": ("testq_sleep", {})}), Batch.model_validate({"data": [[
        {"node": "s", "field": "value", "items": [0, 1, 2]},
        {"node": "s", "field": "seconds", "items": [0.01, 2.5, 0.01]}]]}))
    worker = Worker(store, registry, lease_s=1.5)
    try:
        worker.start()
        wait_for(lambda: worker.current is not None and store.queue.get(worker.current).index == 1)
        third = [row for row in store.queue.list_items() if row.index == 2]
        wait_for(lambda: store.queue.get(third[0].item_id).status == PENDING if third else False, timeout=3.0)
        assert store.queue.get(worker.current).index == 1  # the long one still runs
        wait_for(lambda: store.queue.counts()[COMPLETED] == 3)
    finally:
        worker.close()
