"""The sessions a worker holds at once, in the order its child runs them, and how many to take.

A worker running long sessions holds one at a time. When recent sessions ended fast, it claims
a block of several in one transaction and hands them to its child in one message; the child runs
them one after another and sends each outcome as the session ends. The first session without an
outcome is the one running: if the child dies, that one fails and the rest are handed back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from nodeeditor.store.queue_rows import ClaimedSession

from .session_child import Outcome

SHORT_S = 0.02
"""Sessions that end within this are pipelined: the next claim takes a bigger block."""
MAX_BLOCK = 64
HOLD_S = 0.25
"""A session of a block still running after this turns out long: the sessions waiting behind it
are sent back to the queue (pending, same attempt) for other workers, instead of waiting."""
GROUP_S = 0.1
"""Ended sessions of a block are recorded together, at the latest this long after the first ended."""


@dataclass
class HandedBack:
    """The session goes back to pending with the same attempt (the worker stopped or paused, or
    its child died while running another session of the block)."""

    reason: str


@dataclass
class Dropped:
    """The lease was taken by another worker: this attempt's result must not be written."""

    reason: str


Result = Outcome | HandedBack | Dropped


@dataclass
class Held:
    """One claimed session of a block: its progress while it runs, then its result."""

    claimed: ClaimedSession
    nodes: int
    result: Result | None = None
    ended_at: float = 0.0
    recorded: bool = False
    started_said: bool = False
    began: float = 0.0
    """When it became the block's running session (monotonic)."""
    lost: bool = False
    """Its lease was taken: whatever it ends with is dropped."""
    cancel_sent: float | None = None
    node: str | None = None
    done: set[str] = field(default_factory=set)
    fraction: float = 0.0
    written_progress: tuple[str | None, float] | None = None
    progress_due: float = 0.0


class Block:
    def __init__(self, claimed: list[ClaimedSession]) -> None:
        self.held = [Held(c, nodes=max(1, len(c.workflow.nodes))) for c in claimed]
        self.by_session = {h.claimed.session_id: h for h in self.held}
        self.artifacts: list[Any] = []
        self.halted = False
        """The child was asked to send back the sessions it has not started (pause, stop)."""
        self._next = 0

    @property
    def running(self) -> Held | None:
        """The session the child runs now (or starts next): the first without a result."""
        while self._next < len(self.held) and self.held[self._next].result is not None:
            self._next += 1
        return self.held[self._next] if self._next < len(self.held) else None

    def waiting_behind(self, held: Held) -> bool:
        return any(h.result is None for h in self.held[self.held.index(held) + 1:])

    def end(self, held: Held, result: Result) -> None:
        if held.result is None:
            held.result = Dropped("its lease ran out and another worker took it") if held.lost else result
            held.ended_at = time.monotonic()

    def end_all(self, running: Result, rest: Result) -> None:
        """The child is gone: the running session ends with `running`, the ones after it with `rest`."""
        first = self.running
        for held in self.held:
            if held.result is None:
                self.end(held, running if held is first else rest)

    def unrecorded(self) -> list[Held]:
        return [h for h in self.held if not h.recorded]

    def to_record(self, now: float, *, all_ended: bool = False) -> list[Held]:
        """Ended sessions not yet recorded, once the oldest has waited GROUP_S (or all now)."""
        ended = [h for h in self.held if h.result is not None and not h.recorded]
        if ended and (all_ended or now - min(h.ended_at for h in ended) >= GROUP_S):
            return ended
        return []


class BlockSize:
    """How many sessions to claim next: doubles while sessions end within SHORT_S, back to one
    as soon as one takes longer (or anything but a plain outcome happened)."""

    def __init__(self, size: int = 1, *, hold_s: float = HOLD_S) -> None:
        self.size = size
        self.hold_s = hold_s
        """A block's running session older than this sends the sessions waiting behind it back."""

    def after(self, block: Block) -> None:
        short = all(isinstance(h.result, Outcome) and h.result.duration_s < SHORT_S for h in block.held)
        self.size = min(MAX_BLOCK, self.size * 2) if short else 1
