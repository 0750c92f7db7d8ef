"""Wall time, RAM delta and peak RSS of one node run (VRAM too when torch has a device).

A sampler thread reads RSS every few milliseconds while nodes run and keeps the latest value
and the peak since the node began. A node that ends within one sample interval is charged with
the sampled values (its RAM delta is below what RSS can tell apart anyway); a longer one gets
fresh readings. Per node that leaves two clock reads and a few attribute writes (torch's device,
once a node has imported torch, is found by the sampler too, not asked at every node).

The same thread announces a node's start for the runner when the node is still running a moment
after it began (`defer`): a node that ends sooner needs no start event of its own.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable

import psutil

_clock = time.perf_counter

SAMPLE_INTERVAL_S = 0.005
IDLE_AFTER_S = 1.0
"""The sampler sleeps when no node is running and none has started for this long."""


@dataclass(slots=True)
class Reading:
    started: float
    rss_before: int


@dataclass(slots=True)
class Measure:
    duration_s: float
    ram_delta: int
    peak_rss: int
    vram_peak: int | None


_device: list = []
"""torch.cuda once torch has been imported and said whether it has a device (asked once: it is slow)."""


def _cuda():
    if _device:
        return _device[0]
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    try:
        found = torch.cuda if torch.cuda.is_available() else None
    except Exception:
        found = None
    _device.append(found)
    return found


def _statm_reader():
    """RSS from /proc/self/statm (a few microseconds), or psutil where there is no /proc."""
    try:
        fd = os.open("/proc/self/statm", os.O_RDONLY)
    except OSError:
        process = psutil.Process()
        return lambda: process.memory_info().rss
    page = os.sysconf("SC_PAGE_SIZE")
    return lambda: int(os.pread(fd, 64, 0).split()[1]) * page


rss = _statm_reader()


def vram() -> int | None:
    """Bytes torch holds on its device now, or None without torch and a device."""
    cuda = _cuda()
    return int(cuda.memory_allocated()) if cuda is not None else None


class Meter:
    """Per node: two clock reads and a few attribute writes; RSS comes from the sampler thread
    (read again only at the end of a node that ran longer than a sample interval)."""

    def __init__(self) -> None:
        self._latest = rss()
        self._peak = self._latest
        self._last_start = 0.0
        self._in_node = False
        self._awake = threading.Event()
        self._sleeping = True
        """Mirrors `not _awake.is_set()` for the hot path (a plain attribute read)."""
        self._thread: threading.Thread | None = None
        self._pending: tuple[float, Callable[[], None]] | None = None
        self._announcing = threading.Lock()

    def _sample(self) -> None:
        while True:
            self._awake.wait()
            value = rss()
            self._latest = value
            if not _device and "torch" in sys.modules:
                _cuda()
            if value > self._peak:
                self._peak = value
            pending = self._pending
            if pending is not None and time.perf_counter() >= pending[0]:
                self.announce()
            if not self._in_node and time.perf_counter() - self._last_start > IDLE_AFTER_S:
                self._sleeping = True
                self._awake.clear()
                if self._in_node:  # a node began while going to sleep: stay awake for it
                    self._wake()
            time.sleep(SAMPLE_INTERVAL_S)

    def _wake(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)
            self._thread.start()
        self._sleeping = False
        self._awake.set()
        self._latest = self._peak = rss()

    def start(self) -> Reading:
        self._in_node = True
        if self._sleeping:  # the sampler's start is not the node's time
            self._wake()
        now = self._last_start = _clock()
        before = self._peak = self._latest
        if _device and _device[0] is not None:  # the sampler looks for torch (imported by a node)
            _device[0].reset_peak_memory_stats()
        return Reading(now, before)

    def defer(self, announce: Callable[[], None], after_s: float) -> None:
        """Call `announce` (from the sampler thread) if the node that just started still runs
        `after_s` later; `settle` at its end says whether that happened."""
        self._pending = (time.perf_counter() + after_s, announce)

    def announce(self) -> None:
        """Announce the deferred start now, if it is still pending (also before a node's own
        progress events, so that they never come before its start)."""
        with self._announcing:
            pending, self._pending = self._pending, None
            if pending is not None:
                pending[1]()

    def settle(self) -> bool:
        """At a node's end: True when its start was never announced (its end stands for both).
        Waits for an announcement in flight, so a start is never delivered after its end."""
        with self._announcing:
            pending, self._pending = self._pending, None
        return pending is not None

    def stop(self, reading: Reading) -> Measure:
        duration = _clock() - reading.started
        self._in_node = False
        if duration >= SAMPLE_INTERVAL_S:
            after = rss()
            cuda = _cuda()
        else:  # within one sample: the sampled values (torch, if a node imported it, found soon)
            after = self._latest
            cuda = _device[0] if _device else None
        peak = self._peak
        if after > peak:
            peak = after
        if reading.rss_before > peak:
            peak = reading.rss_before
        vram_peak = int(cuda.max_memory_allocated()) if cuda is not None else None
        return Measure(duration, after - reading.rss_before, peak, vram_peak)
