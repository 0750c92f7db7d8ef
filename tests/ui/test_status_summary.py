"""The status-bar summary follows the bridge: counts, running item progress, and the RSS."""

from __future__ import annotations

import re

from nodeeditor.engine.events import (MemorySample, NodeCompleted, NodeProgress, QueueChanged, SessionCompleted,
                                      SessionStarted)
from nodeeditor.ui.bridge import EngineBridge
from nodeeditor.ui.panels.status_summary import StatusSummary
from nodeeditor.ui.units import format_bytes


def test_counts_progress_and_rss_follow_the_events(qtbot):
    bridge = EngineBridge()
    summary = StatusSummary(bridge)
    qtbot.addWidget(summary)
    assert re.fullmatch(r"window \d+(\.\d+)? (MB|GB)", summary.rss_label.text())  # this process: a whole test run
    bridge.push(QueueChanged(counts={"pending": 4, "in_progress": 1, "completed": 2}))
    bridge.push(SessionStarted(session_id="s", item_id=7, nodes=4))
    bridge.push(NodeCompleted(session_id="s", node_id="a", instance_id="a", node_type="add", duration_s=0.1))
    bridge.push(NodeProgress(session_id="s", node_id="b", instance_id="b", fraction=0.5))
    bridge.flush()
    assert summary.counts_label.text() == "4 pending · 1 running · 2 done"
    assert summary.item_label.text() == "item 7: 1/4 nodes"
    assert summary.current_fraction == 1.5 / 4
    assert summary.progress.value() == 375
    bridge.push(SessionCompleted(session_id="s", item_id=7, status="failed"))
    bridge.flush()
    assert summary.item_label.text() == "last: failed"
    assert not summary.progress.isEnabled()
    assert summary.progress.value() == 0


def test_memory_names_the_worker_and_the_window_while_samples_come(qtbot, monkeypatch):
    bridge = EngineBridge()
    summary = StatusSummary(bridge)
    qtbot.addWidget(summary)
    bridge.push(MemorySample(rss=300 * 2**20))
    bridge.flush()
    summary.update_rss()
    text = summary.rss_label.text()
    assert re.fullmatch(r"worker 300\.0 MB · window \d+(\.\d+)? (MB|GB)", text)
    monkeypatch.setattr("nodeeditor.ui.panels.status_summary.SAMPLE_FRESH_S", -1.0)
    summary.update_rss()
    assert summary.rss_label.text().startswith("window ")


def test_a_running_session_counts_as_running_before_the_counts_catch_up(qtbot):
    bridge = EngineBridge()
    summary = StatusSummary(bridge)
    qtbot.addWidget(summary)
    bridge.push(QueueChanged(counts={"pending": 1, "completed": 73}))
    bridge.push(SessionStarted(session_id="s", item_id=74, nodes=2))
    bridge.flush()
    assert summary.counts_label.text() == "1 running · 73 done"
    bridge.push(SessionCompleted(session_id="s", item_id=74, status="completed"))
    bridge.push(QueueChanged(counts={"completed": 74}))
    bridge.flush()
    assert summary.counts_label.text() == "74 done"


def test_bytes_read_as_a_person_writes_them():
    assert [format_bytes(v) for v in (512, 2048, 5 * 2**20, 3 * 2**30)] == ["512 B", "2.0 KB", "5.0 MB", "3.0 GB"]
