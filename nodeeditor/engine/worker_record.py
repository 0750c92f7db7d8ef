"""Recording and announcing what became of a block's sessions, for the worker's loop.

`_record` writes the ended sessions of a group in one transaction each for outcomes and for
hand-backs (every write fenced by the session's attempt), then `_announce` tells subscribers
and counts how each ended. A write the store refuses (the lease was taken, the session was
canceled or cleared) is logged and counted as dropped, never retried over the newer attempt.
"""

from __future__ import annotations

import logging
from typing import Any

from nodeeditor.store.queue_rows import Written
from nodeeditor.store.status import SessionStatus

from .events import SessionCompleted, SessionReleased
from .hub import EventHub
from .session_child import Outcome
from .worker_block import Block, Dropped, HandedBack, Held

log = logging.getLogger("nodeeditor.worker")


class WorkerRecords:
    name: str
    door: Any
    hub: EventHub
    ended: dict[str, int]

    def _queue_changed(self, force: bool = False) -> None:
        raise NotImplementedError

    def _record(self, ended: list[Held], block: Block) -> None:
        """Write the outcomes of ended sessions, one transaction for the group, then announce them."""
        if not ended:
            return
        if block.artifacts:
            records, block.artifacts = block.artifacts, []
            self.door.index(records)
        finished = [h for h in ended if isinstance(h.result, Outcome)]
        back = [h for h in ended if isinstance(h.result, HandedBack)]
        how: dict[int, str] = {}
        for held, written in zip(finished, self.door.finish([(h.claimed, *self._details(h.result))
                                                             for h in finished if isinstance(h.result, Outcome)])):
            how[id(held)] = held.result.status if written else self._refused(held, written)  # type: ignore[union-attr]
        for held, written in zip(back, self.door.hand_back([h.claimed for h in back])):
            how[id(held)] = "handed_back" if written else self._refused(held, written)
        for held in ended:
            held.recorded = True
            if isinstance(held.result, Dropped):
                log.warning("worker %s: item %s (attempt %s) dropped: %s", self.name, held.claimed.item_id,
                            held.claimed.attempt, held.result.reason)
            self._announce(held, how.get(id(held), "dropped"))

    @staticmethod
    def _details(result: Outcome) -> tuple[SessionStatus, dict[str, Any]]:
        status = SessionStatus(result.status)
        details: dict[str, Any] = {"stats": result.stats, "duration_s": result.duration_s, "models": result.models}
        if status is SessionStatus.COMPLETED:
            details["summary"] = {"outputs": result.outputs, "images": result.images}
        else:
            details.update(error=result.error or status.value, traceback=result.traceback or "")
        return status, details

    def _refused(self, held: Held, written: Written) -> str:
        if isinstance(held.result, HandedBack):
            why = "another worker took it" if written is Written.STALE else "it ended"
            log.warning("worker %s: item %s (attempt %s) not handed back: %s", self.name, held.claimed.item_id,
                        held.claimed.attempt, why)
        else:
            why = ("its lease ran out and another worker took it over" if written is Written.STALE
                   else "it was no longer running (canceled or cleared meanwhile)")
            log.warning("worker %s: item %s (attempt %s) result refused: %s", self.name, held.claimed.item_id,
                        held.claimed.attempt, why)
        return "dropped"

    def _announce(self, held: Held, ended: str) -> None:
        claimed, result = held.claimed, held.result
        self.ended[ended] += 1
        if ended == "handed_back":
            log.info("worker %s: item %s handed back to the queue (%s)", self.name, claimed.item_id,
                     getattr(result, "reason", ""))
        if ended in ("handed_back", "dropped") or not isinstance(result, Outcome):
            reason = getattr(result, "reason", "another worker took it over")
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

