"""What the queue hands out and lists: claimed sessions, listed rows, batch summaries, and the
answers of the fenced writes (a stale worker is told, not silently ignored)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from nodeeditor.core.workflow import Workflow

from .status import SessionStatus

ItemRef = int | str
"""An item id, or the key "batch:index" that every listed row has (virtual ones included)."""


def item_key(batch_id: int, index: int) -> str:
    return f"{batch_id}:{index}"


def parse_key(key: str) -> tuple[int, int]:
    batch, _, index = key.partition(":")
    try:
        return int(batch), int(index)
    except ValueError:
        raise ValueError(f"queue key {key!r} must look like BATCH:INDEX") from None


class Written(Enum):
    """What became of a fenced write (complete, fail, mark_canceled, hand_back, progress).

    Only WRITTEN is true, so `if queue.complete(...)` reads naturally.
    """

    WRITTEN = "written"
    STALE = "stale"
    """The session was taken back from this attempt (its lease ran out, or its worker was
    judged lost): a newer attempt owns it, and nothing was written."""
    GONE = "gone"
    """The session is no longer running under this attempt for another reason (already
    finished, canceled by hand, cleared): nothing was written."""

    def __bool__(self) -> bool:
        return self is Written.WRITTEN


class Lease(Enum):
    """The answer to renewing a lease; true while the worker still holds the session."""

    HELD = "held"
    CANCEL_REQUESTED = "cancel_requested"
    """Still held, and someone asked for the session to stop (queue cancel, the window)."""
    LOST = "lost"
    """Taken back (or finished elsewhere): drop the session, write nothing more for it."""

    def __bool__(self) -> bool:
        return self is not Lease.LOST


@dataclass(frozen=True)
class EnqueueResult:
    batch_id: int
    count: int


@dataclass
class ClaimedSession:
    """A session a worker now holds: renew its lease, and pass `attempt` to every write."""

    item_id: int
    batch_id: int
    index: int
    workflow: Workflow
    overrides: dict[tuple[str, str], Any]
    field_values: dict[str, Any]
    session_id: str
    attempt: int = 1
    """The fencing token: writes that name another attempt are refused."""
    worker_id: str | None = None
    lease_s: float = 0.0
    lease_until: float = 0.0
    """Deadline on the database's clock (Unix seconds)."""


@dataclass
class QueueRow:
    key: str
    item_id: int | None
    """None while the session is virtual (pending or canceled before it was ever claimed)."""
    batch_id: int
    index: int
    status: SessionStatus
    priority: int
    field_values: dict[str, Any]
    created: float
    started: float | None = None
    finished: float | None = None
    duration_s: float | None = None
    error: str | None = None
    traceback: str | None = None
    session_id: str | None = None
    summary: dict[str, Any] | None = None
    worker_id: str | None = None
    attempt: int = 1
    lease_until: float | None = None
    progress_node: str | None = None
    progress: float | None = None
    """Fraction 0..1 of the running session, as its worker last wrote it."""
    progress_at: float | None = None


@dataclass
class BatchSummary:
    batch_id: int
    name: str
    count: int
    priority: int
    created: float
    counts: dict[str, int] = field(default_factory=dict)
