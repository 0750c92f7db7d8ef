"""Events of sessions that start before the window knows their batch.

Enqueueing runs off the GUI thread; a worker that polls the queue can claim the new batch, and
even finish it, before the enqueue call has returned the batch id. While an enqueue is in flight,
the events of sessions of batches the window does not watch are held here; when the id arrives,
the sessions of that batch are handed back in order, and the others dropped once no enqueue is
in flight any more.
"""

from __future__ import annotations

from typing import Any


class EarlyEvents:
    def __init__(self) -> None:
        self.in_flight = 0
        self._held: dict[str, list[Any]] = {}

    def started(self, event: Any, watched_batches: set[int]) -> None:
        """A session started in a batch that is not (yet) watched: hold its events if it may be ours."""
        if self.in_flight and event.session_id and event.batch_id not in watched_batches:
            self._held[event.session_id] = [event]

    def hold(self, event: Any) -> bool:
        """Keep an event of a held session; True if it was kept (the caller shows nothing yet)."""
        held = self._held.get(event.session_id) if event.session_id else None
        if held is None:
            return False
        held.append(event)
        return True

    def take(self, batch_id: int) -> list[tuple[str, list[Any]]]:
        """The held sessions of `batch_id` with their later events, in order; the rest are kept
        only while another enqueue is in flight."""
        held, self._held = self._held, {}
        if self.in_flight:
            self._held = {sid: events for sid, events in held.items() if events[0].batch_id != batch_id}
        return [(sid, events[1:]) for sid, events in held.items() if events[0].batch_id == batch_id]

    def clear(self) -> None:
        self._held.clear()
