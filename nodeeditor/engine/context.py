"""The context handed to a running node: progress, cancel, artifacts, the session's workflow."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Callable

from nodeeditor.core.errors import Canceled

from .events import NodeProgress

PROGRESS_INTERVAL_S = 1 / 30
"""Progress events per node are coalesced to at most 30 a second."""


class NodeContext:
    __slots__ = ("node_id", "instance_id", "session_id", "artifacts", "_workflow", "field_values",
                 "_cancel", "_emit", "_last_progress")

    def __init__(self, *, node_id: str, instance_id: str, session_id: str | None, artifacts: Any,
                 workflow: dict[str, Any] | Callable[[], dict[str, Any]], field_values: dict[str, Any],
                 cancel: threading.Event, emit: Callable[[Any], None]) -> None:
        """`workflow` may be a function that makes it: only nodes that save images read it."""
        self.node_id = node_id
        self.instance_id = instance_id
        self.session_id = session_id
        self.artifacts = artifacts
        self._workflow = workflow
        self.field_values = field_values
        self._cancel = cancel
        self._emit = emit
        self._last_progress = 0.0

    @property
    def workflow(self) -> dict[str, Any]:
        """The session's workflow as JSON (for image metadata)."""
        if callable(self._workflow):
            self._workflow = self._workflow()
        return self._workflow

    @property
    def canceled(self) -> bool:
        return self._cancel.is_set()

    def check_canceled(self) -> None:
        if self._cancel.is_set():
            raise Canceled("canceled")

    def progress(self, fraction: float, message: str | None = None, preview: str | None = None) -> None:
        self.check_canceled()
        now = time.monotonic()
        if preview is None and fraction < 1.0 and now - self._last_progress < PROGRESS_INTERVAL_S:
            return
        self._last_progress = now
        self._emit(NodeProgress(session_id=self.session_id, node_id=self.node_id,
                                instance_id=self.instance_id, fraction=max(0.0, min(1.0, fraction)),
                                message=message, preview=preview))

    @property
    def models(self) -> Any:
        """The worker process's model cache (engine.model_cache), with the settings of this home."""
        from . import model_cache

        root = getattr(self.artifacts, "root", None)
        return model_cache.shared(Path(root).parent if root is not None else None)
