"""The workers registry: register, heartbeat, lost when the heartbeat is older than the lease."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from nodeeditor.store.status import WorkerState


def test_a_registered_worker_is_listed_with_its_state_and_capabilities(store):
    store.workers.register("host:1:a", "gpu-box-1", lease_s=30, capabilities={"devices": ["cuda:0"]})
    assert store.workers.heartbeat("host:1:a", WorkerState.RUNNING, current_item=7, sessions_done=3)
    (row,) = store.workers.list()
    assert (row.id, row.name, row.pid, row.state, row.current_item, row.sessions_done) == (
        "host:1:a", "gpu-box-1", os.getpid(), WorkerState.RUNNING, 7, 3)
    assert row.capabilities == {"devices": ["cuda:0"]} and row.seen_s_ago < 5
    store.workers.unregister("host:1:a")
    assert store.workers.list() == []


def test_a_worker_whose_heartbeat_is_older_than_its_lease_is_lost(store):
    store.workers.register("quiet", lease_s=0.2)
    store.workers.register("busy", lease_s=30)
    time.sleep(0.4)
    assert {r.id: r.state for r in store.workers.list()} == {"busy": WorkerState.IDLE, "quiet": WorkerState.LOST}
    assert store.workers.mark_lost() == ["quiet"]
    assert not store.workers.heartbeat("quiet", WorkerState.IDLE), "a lost worker must register again"
    assert store.workers.heartbeat("busy", WorkerState.PAUSED)
    assert store.workers.forget_lost() == 1
    assert [(r.id, r.state) for r in store.workers.list()] == [("busy", WorkerState.PAUSED)]


def test_a_worker_whose_process_is_gone_on_this_host_is_lost_at_once(store):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    store.workers.register("gone", lease_s=3600, pid=child.pid)
    assert [r.state for r in store.workers.list()] == [WorkerState.LOST]
    assert store.workers.mark_lost() == ["gone"]


def test_registering_a_worker_again_replaces_only_its_own_row(store):
    store.workers.register("a", lease_s=30)
    store.workers.register("b", lease_s=30)
    store.workers.register("b", "renamed", lease_s=30)
    assert sorted((w.id, w.name) for w in store.workers.list()) == [("a", "a"), ("b", "renamed")]
