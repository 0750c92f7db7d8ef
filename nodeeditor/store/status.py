"""The words the store writes in status columns: one enum for sessions, one for workers.

Both are `StrEnum`s, so a member is the very string stored in the row and compares equal to
it; code reads and writes members, never bare strings.
"""

from __future__ import annotations

from enum import StrEnum


class SessionStatus(StrEnum):
    """Where a session is: pending → in_progress → completed | failed | canceled.

    A claimed session that its worker hands back, or whose worker is lost, returns to pending.
    CLEARED marks a finished row that the user cleared but that must stay (hidden) because it
    lies above its batch's claim cursor; it is never shown or counted.
    """

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"
    CLEARED = "cleared"

    @property
    def finished(self) -> bool:
        return self in FINISHED


SHOWN: tuple[SessionStatus, ...] = (SessionStatus.PENDING, SessionStatus.IN_PROGRESS, SessionStatus.COMPLETED,
                                    SessionStatus.FAILED, SessionStatus.CANCELED)
"""Every status a person sees, in the order counts and filters list them."""
FINISHED: tuple[SessionStatus, ...] = (SessionStatus.COMPLETED, SessionStatus.FAILED, SessionStatus.CANCELED)
RETRYABLE: tuple[SessionStatus, ...] = (SessionStatus.FAILED, SessionStatus.CANCELED)


class WorkerState(StrEnum):
    """What a worker is doing, as its registry row says (and as the worker objects report).

    LOST is written by others: a worker whose heartbeat is older than its lease, or whose
    process is gone on the same host. A worker that exits cleanly removes its row.
    """

    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPING = "stopping"
    STOPPED = "stopped"
    LOST = "lost"
