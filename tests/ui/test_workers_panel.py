"""The Workers dock shows the registry and each running session's progress, live; on PostgreSQL
a change shows because the dock LISTENs, not because it polled."""

from __future__ import annotations

import pytest

from nodeeditor.core.registry import default_registry
from nodeeditor.store.status import WorkerState
from nodeeditor.store.store import open_store
from nodeeditor.ui.panels.workers_panel import WorkersPanel

from .conftest import adder


def claim_as(store, worker_id: str, name: str):
    store.workers.register(worker_id, name, lease_s=30.0)
    store.queue.enqueue(adder())
    claimed = store.queue.claim(worker_id, 30.0)
    store.workers.heartbeat(worker_id, WorkerState.RUNNING, claimed.item_id, 4)
    return claimed


def shown(panel) -> list[tuple[str, ...]]:
    panel.apply_latest()  # what the dock's timer does (timers stop firing after a test quits the app)
    return [tuple(panel.text_at(r, c) for c in ("Worker", "State", "Session", "Node", "Progress", "Done"))
            for r in range(panel.table.rowCount())]


@pytest.fixture
def panel_on(qtbot):
    made = []

    def make(store, poll_s: float) -> WorkersPanel:
        panel = WorkersPanel(store, poll_s=poll_s)
        qtbot.addWidget(panel)
        made.append(panel)
        return panel

    yield make
    for panel in made:
        panel.shutdown()


def test_the_dock_lists_workers_with_their_session_and_progress(store, qtbot, panel_on):
    claimed = claim_as(store, "w1@here", "gpu-1")
    panel = panel_on(store, 0.1)
    store.queue.progress(claimed.item_id, claimed.attempt, "s", 0.5)
    expected = [("gpu-1", "running", str(claimed.item_id), "s", "50%", "4")]
    qtbot.waitUntil(lambda: shown(panel) == expected, timeout=5000)
    store.workers.unregister("w1@here")
    qtbot.waitUntil(lambda: shown(panel) == [], timeout=5000)


def test_on_postgresql_progress_shows_without_waiting_for_a_poll(pg_url, isolated_home, qtbot, panel_on):
    store = open_store(pg_url, home=isolated_home, registry=default_registry())
    try:
        claimed = claim_as(store, "w2@there", "farm-7")
        panel = panel_on(store, 3600.0)  # it would not poll again during this test
        qtbot.waitUntil(lambda: panel.watch.listening and shown(panel) != [], timeout=10000)
        store.queue.progress(claimed.item_id, claimed.attempt, "b", 0.25)
        qtbot.waitUntil(lambda: shown(panel)[0][3:5] == ("b", "25%"), timeout=5000)
        panel.shutdown()
    finally:
        store.close()


def test_devices_a_worker_reports_after_registering_show_in_their_column(store, qtbot, panel_on):
    store.workers.register("w3@here", "gpu-2", lease_s=30.0, capabilities={"torch": True})
    panel = panel_on(store, 0.1)
    qtbot.waitUntil(lambda: shown(panel) != [], timeout=5000)
    assert panel.text_at(0, "Devices") == "-"
    h200 = {"device": "cuda:0", "name": "NVIDIA H200", "memory": 141 * 2**30}
    assert store.workers.add_capabilities("w3@here", {"devices": [{"device": "cpu"}, h200]})
    qtbot.waitUntil(lambda: shown(panel) and panel.text_at(0, "Devices") == "cpu, cuda:0 NVIDIA H200 141 GiB",
                    timeout=5000)
    assert store.workers.list()[0].capabilities["torch"] is True
    assert not store.workers.add_capabilities("gone@here", {"devices": []})
