"""What the window and the CLI may ask of a worker, whichever kind runs the sessions.

`Worker` (a loop in a thread of this process, sessions in its child) and `ProcessWorker` (that
loop in a child of its own, so the GUI keeps the interpreter) both satisfy this Protocol.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol, runtime_checkable

from nodeeditor.store.status import WorkerState

__all__ = ["WorkerControl", "WorkerState"]


@runtime_checkable
class WorkerControl(Protocol):
    @property
    def state(self) -> WorkerState: ...

    @property
    def current(self) -> int | None:
        """Item id of the session running now."""

    def subscribe(self, callback: Callable[[Any], None]) -> Callable[[], None]:
        """Receive every engine event (on the worker's event thread); returns an unsubscribe."""

    def start(self) -> None: ...

    def pause(self) -> None:
        """Finish the running session, then hold nothing until resume()."""

    def resume(self) -> None: ...

    def wake(self) -> None:
        """Look at the queue now (after enqueueing) instead of at the next poll."""

    def cancel_current(self) -> bool:
        """Cancel the running session: asked through its context, its process killed 1 s later."""

    def stop(self, wait: bool = True) -> None:
        """Claim nothing more; a running session is handed back to the queue."""

    def close(self) -> None:
        """Stop, and end the event thread (at application exit)."""
