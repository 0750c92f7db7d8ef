"""Wall time, RAM delta and peak RSS of one node run (VRAM too when torch has a device).

Peak RSS comes from a sampler thread that only wakes while a node runs, every few milliseconds,
so a short spike inside a node is seen without measuring every allocation.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass

import psutil

SAMPLE_INTERVAL_S = 0.005


@dataclass
class Reading:
    started: float
    rss_before: int


@dataclass
class Measure:
    duration_s: float
    ram_delta: int
    peak_rss: int
    vram_peak: int | None


def _cuda():
    torch = sys.modules.get("torch")
    try:
        return torch.cuda if torch is not None and torch.cuda.is_available() else None
    except Exception:
        return None


def rss() -> int:
    return psutil.Process().memory_info().rss


def vram() -> int | None:
    """Bytes torch holds on its device now, or None without torch and a device."""
    cuda = _cuda()
    return int(cuda.memory_allocated()) if cuda is not None else None


class Meter:
    def __init__(self) -> None:
        self._process = psutil.Process()
        self._peak = 0
        self._active = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        while True:
            self._active.wait()
            value = self._process.memory_info().rss
            with self._lock:
                if value > self._peak:
                    self._peak = value
            time.sleep(SAMPLE_INTERVAL_S)

    def start(self) -> Reading:
        if self._thread is None:
            self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)
            self._thread.start()
        before = self._process.memory_info().rss
        with self._lock:
            self._peak = before
        cuda = _cuda()
        if cuda is not None:
            cuda.reset_peak_memory_stats()
        self._active.set()
        return Reading(time.perf_counter(), before)

    def stop(self, reading: Reading) -> Measure:
        duration = time.perf_counter() - reading.started
        self._active.clear()
        after = self._process.memory_info().rss
        with self._lock:
            peak = max(self._peak, after)
        cuda = _cuda()
        vram = int(cuda.max_memory_allocated()) if cuda is not None else None
        return Measure(duration, after - reading.rss_before, peak, vram)
