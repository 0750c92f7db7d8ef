"""How the worker ends a session: its one outcome written (fenced by the attempt), then told.

Kept apart from the loop in worker.py, which decides the outcome; these only write and announce it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from nodeeditor.store.queue_rows import ClaimedSession, Written
from nodeeditor.store.status import SessionStatus, WorkerState

from .events import SessionCompleted, SessionReleased
from .session_child import Outcome

log = logging.getLogger("nodeeditor.worker")


@dataclass
class HandedBack:
    """The session goes back to pending with the same attempt (the worker stopped)."""

    reason: str


@dataclass
class Dropped:
    """The lease was taken by another worker: this attempt's result must not be written."""

    reason: str


Result = Outcome | HandedBack | Dropped


class WorkerRecord:
    """The record and announce steps of Worker (see worker.py for the attributes they use)."""

    name: str
    store: Any
    door: Any
    hub: Any
    ended: dict[str, int]
    _artifacts: list[Any]
    _child: Any
    _current: int | None
    _state: WorkerState
    _paused: Any
    _stopping: Any

    def _queue_changed(self, force: bool = False) -> None:
        raise NotImplementedError  # Worker's

    def _going_on(self) -> bool:
        """Neither stopping nor paused: a session claimed ahead will run."""
        return not self._stopping.is_set() and not self._paused.is_set()

    def _hand_back_unstarted(self, ahead: list[ClaimedSession | None]) -> None:
        """A session claimed with the last finish that will not start now (a pause, a stop)."""
        claimed = ahead.pop() if ahead else None
        if claimed is not None:
            self.door.soft("handing a session back", lambda: self.store.queue.hand_back(
                claimed.item_id, claimed.attempt))

    def _record(self, claimed: ClaimedSession, result: Result, ahead: list[ClaimedSession | None] | None) -> str:
        """Write the session's one outcome; returns how it ended, for the counts. When the worker
        goes on with the same session process, the next session is claimed in the same
        transaction and put in `ahead`."""
        if self._artifacts:
            records, self._artifacts = self._artifacts, []
            self.door.index(records)
        if isinstance(result, Dropped):
            log.warning("worker %s: item %s (attempt %s) dropped: %s", self.name, claimed.item_id,
                        claimed.attempt, result.reason)
            return "dropped"
        if isinstance(result, HandedBack):
            written = self.door.hand_back(claimed)
            if not written:
                log.warning("worker %s: item %s (attempt %s) not handed back: %s", self.name, claimed.item_id,
                            claimed.attempt, "another worker took it" if written is Written.STALE else "it ended")
                return "dropped"
            log.info("worker %s: item %s handed back to the queue (%s)", self.name, claimed.item_id, result.reason)
            return "handed_back"
        status = SessionStatus(result.status)
        details: dict[str, Any] = {"stats": result.stats, "duration_s": result.duration_s, "models": result.models}
        if status is SessionStatus.COMPLETED:
            details["summary"] = {"outputs": result.outputs, "images": result.images}
        else:
            details.update(error=result.error or status.value, traceback=result.traceback or "")
        if ahead is not None and not ahead and self._going_on() and self._child.started:
            written, next_claimed = self.door.finish_then_claim(claimed, status, details)
            ahead.append(next_claimed)
        else:
            written = self.door.finish(claimed, status, details)
        if not written:
            why = ("its lease ran out and another worker took it over" if written is Written.STALE
                   else "it was no longer running (canceled or cleared meanwhile)")
            log.warning("worker %s: item %s (attempt %s) result refused: %s", self.name, claimed.item_id,
                        claimed.attempt, why)
            return "dropped"
        return status.value

    def _announce(self, claimed: Any, result: Result, ended: str) -> None:
        self.ended[ended] += 1
        self._current = None
        self._state = WorkerState.PAUSED if self._paused.is_set() else WorkerState.IDLE
        if ended in ("handed_back", "dropped") or not isinstance(result, Outcome):
            reason = result.reason if not isinstance(result, Outcome) else "another worker took it over"
            self.hub.publish(SessionReleased(session_id=claimed.session_id, item_id=claimed.item_id,
                                             batch_id=claimed.batch_id, reason=reason))
        else:
            stats = result.stats
            self.hub.publish(SessionCompleted(
                session_id=claimed.session_id, item_id=claimed.item_id, batch_id=claimed.batch_id,
                index=claimed.index, status=result.status, duration_s=result.duration_s, error=result.error,
                stats={"nodes": len(stats), "cache_hits": sum(1 for s in stats if s.cached),
                       "peak_rss": max((s.peak_rss for s in stats), default=0), "images": result.images,
                       "models": result.models}))
        self._queue_changed()
