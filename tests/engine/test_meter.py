"""Run figures: the peak RSS of a node that allocates and frees is seen, even past the idle time."""

from __future__ import annotations

import time

import numpy as np

from nodeeditor.engine import meter as meter_module
from nodeeditor.engine.meter import Meter, rss

MB = 1024 * 1024


def test_a_short_spike_inside_a_long_node_shows_in_its_peak(monkeypatch):
    monkeypatch.setattr(meter_module, "IDLE_AFTER_S", 0.05)
    meter = Meter()
    reading = meter.start()
    time.sleep(0.1)  # longer than the idle time: the sampler must stay awake while a node runs
    spike = np.ones(64 * MB // 8)
    time.sleep(0.05)
    del spike
    time.sleep(0.02)
    measure = meter.stop(reading)
    assert measure.peak_rss >= reading.rss_before + 48 * MB
    assert measure.duration_s >= 0.17 and abs(measure.ram_delta) < 48 * MB


def test_rss_reads_the_resident_size_of_this_process():
    import psutil

    assert abs(rss() - psutil.Process().memory_info().rss) < 16 * MB
