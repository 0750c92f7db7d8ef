"""What the GUI and the CLI see of any worker, in-process or in a child: events, state, running item."""

from __future__ import annotations

from typing import Any, Callable

from nodeeditor.store.status import WorkerState

from .hub import EventHub


class WorkerBase:
    def __init__(self, hub_name: str) -> None:
        self.hub = EventHub(hub_name)
        self._state = WorkerState.STOPPED
        self._current: int | None = None

    def subscribe(self, callback: Callable[[Any], None]) -> Callable[[], None]:
        """Receive every event (on the hub's thread); returns a function that unsubscribes."""
        return self.hub.subscribe(callback)

    @property
    def state(self) -> WorkerState:
        return self._state

    @property
    def current(self) -> int | None:
        """Item id of the session running now."""
        return self._current
