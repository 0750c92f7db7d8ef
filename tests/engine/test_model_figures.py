"""Model figures in the stats: per-node peak VRAM (read at the meter's device boundary) and the
model cache's loads, hits and load time per session, stored and shown by `nodeeditor stats`."""

from __future__ import annotations

import threading

import pytest
from workflow_builder import build

from nodeeditor.cli import main
from nodeeditor.engine import meter as meter_module
from nodeeditor.engine.meter import Meter
from nodeeditor.engine.runner import run_workflow
from nodeeditor.store.artifacts import FileArtifactStore

MB = 1024 * 1024


class ReadingsOnly:
    """Stands where `torch.cuda` stands for the meter: the peak-memory readings of a device, one per
    node (what `max_memory_allocated` would say since the last reset), and the resets asked for."""

    def __init__(self, peaks: list[int]) -> None:
        self.peaks = list(peaks)
        self.resets = 0
        self.reads = 0

    def reset_peak_memory_stats(self) -> None:
        self.resets += 1

    def max_memory_allocated(self) -> int:
        assert self.resets == self.reads + 1, "the peak must be reset before each node's reading"
        self.reads += 1
        return self.peaks.pop(0)

    def memory_allocated(self) -> int:
        return 0


@pytest.fixture
def device_readings(monkeypatch):
    readings = ReadingsOnly([300 * MB, 100 * MB, 200 * MB])
    monkeypatch.setattr(meter_module, "_device", [readings])
    return readings


def _three_nodes(registry, tmp_path):
    flow = build({"a": ("integer", {"value": 1}), "b": ("integer", {"value": 2}), "s": "add"},
                 ["a.value -> s.a", "b.value -> s.b"])
    return run_workflow(flow, registry, artifacts=FileArtifactStore(tmp_path / "artifacts"), cancel=threading.Event(),
                        meter=Meter())


def _finish_next(store, result, models=None) -> int:
    claimed = store.queue.claim("test")
    store.queue.finish(claimed.item_id, "completed", summary={}, stats=result.stats, duration_s=0.1, models=models)
    return claimed.item_id


def test_each_node_gets_the_device_peak_measured_since_it_started(registry, device_readings, tmp_path):
    result = _three_nodes(registry, tmp_path)
    assert result.status == "completed"
    assert [s.vram_peak for s in result.stats] == [300 * MB, 100 * MB, 200 * MB]
    assert device_readings.resets == 3 and device_readings.reads == 3


def test_stored_vram_peaks_show_per_node_type_in_stats(store, registry, device_readings, capsys, tmp_path):

    store.queue.enqueue(build({"a": "integer"}))
    _finish_next(store, _three_nodes(registry, tmp_path))
    by_type = {r.node_type: r.vram_peak for r in store.stats.by_node_type()}
    assert by_type == {"integer": 300 * MB, "add": 200 * MB}
    assert main(["stats"]) == 0
    lines = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[2:] if line.strip()}
    assert lines["integer"][6] == "300.0" and lines["add"][6] == "200.0"


def test_without_a_device_no_vram_is_stored_and_stats_show_a_dash(store, registry, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(meter_module, "_device", [None])  # torch imported, no GPU: what this CPU machine says
    store.queue.enqueue(build({"a": "integer"}))
    result = _three_nodes(registry, tmp_path)
    assert [s.vram_peak for s in result.stats] == [None] * 3
    _finish_next(store, result)
    assert {r.vram_peak for r in store.stats.by_node_type()} == {None}
    assert main(["stats"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[2:] if line.strip()]
    assert rows and all(row[6] == "-" for row in rows)


def test_model_figures_are_summed_per_batch_and_item_and_printed(store, registry, capsys, tmp_path):
    first = store.queue.enqueue(build({"a": "integer"}), None).batch_id
    second = store.queue.enqueue(build({"a": "integer"}), None).batch_id
    result = _three_nodes(registry, tmp_path)
    loaded = _finish_next(store, result, {"loads": 1, "hits": 0, "load_s": 2.5})
    _finish_next(store, result, {"loads": 0, "hits": 1, "load_s": 0.0})
    assert store.stats.models(item_id=loaded) == store.stats.models(batch_id=first)
    totals = store.stats.models(batch_id=first)
    assert (totals.sessions, totals.loads, totals.hits, totals.load_s) == (1, 1, 0, 2.5)
    everything = store.stats.models()
    assert (everything.sessions, everything.loads, everything.hits, everything.load_s) == (2, 1, 1, 2.5)
    assert main(["stats", "--batch", str(second)]) == 0
    assert "model cache: 0 loads (0.000 s loading), 1 hit over 1 session" in capsys.readouterr().out
    assert main(["stats"]) == 0
    assert "model cache: 1 load (2.500 s loading), 1 hit over 2 sessions" in capsys.readouterr().out


def test_sessions_without_a_model_store_no_model_figures(store, registry, capsys, tmp_path):
    store.queue.enqueue(build({"a": "integer"}))
    _finish_next(store, _three_nodes(registry, tmp_path), {})
    assert store.stats.models() is None
    assert main(["stats"]) == 0
    assert "model cache" not in capsys.readouterr().out
