"""Keep the cyclic garbage collector from rescanning a run's objects again and again.

A run keeps every node's outputs, figures and events alive until it ends, so the collector's
young generations fill with objects that survive; each collection then walks them again and the
cost per node grows with the size of the graph (measured: 24 us per node at 10,000 nodes with the
collector off, 44 us with CPython's defaults). During a run the first generation's threshold is
raised, so collections are rare (one per million allocations of containers: a runaway node's
cyclic garbage is still collected) and each one moves many survivors along at once; objects alive
before the run are frozen out of every scan. At the end the run's survivors go straight to the
oldest generation, and the thresholds are put back (when the last run ends).
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

RUN_THRESHOLD = 1_000_000
"""Allocations between young collections while a run is going (CPython's default is 700)."""

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] | None = None
_froze = False
"""Whether the first run froze the heap; one frozen by someone else is left frozen at the end."""


@contextmanager
def quiet_gc() -> Iterator[None]:
    global _depth, _saved, _froze
    with _lock:
        _depth += 1
        if _depth == 1:
            _saved = gc.get_threshold()
            _froze = gc.get_freeze_count() == 0
            if _froze:
                gc.freeze()
            gc.set_threshold(max(_saved[0], RUN_THRESHOLD), _saved[1], _saved[2])
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                if _froze:
                    # The run's survivors join the old generation in one step (freeze, then
                    # unfreeze: both O(1)) instead of waiting in the young ones for a collection
                    # that walks them all once more, at the caller's next allocation.
                    gc.freeze()
                    gc.unfreeze()
                gc.set_threshold(*_saved)
