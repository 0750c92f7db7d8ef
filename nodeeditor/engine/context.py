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


class RunScope:
    """What every node of one run shares (made once per run, not once per node)."""

    __slots__ = ("session_id", "artifacts", "workflow", "field_values", "cancel", "emit")

    def __init__(self, session_id: str | None, artifacts: Any,
                 workflow: dict[str, Any] | Callable[[], dict[str, Any]], field_values: dict[str, Any],
                 cancel: threading.Event, emit: Callable[[Any], None]) -> None:
        self.session_id = session_id
        self.artifacts = artifacts
        self.workflow = workflow
        self.field_values = field_values
        self.cancel = cancel
        self.emit = emit


class NodeContext:
    __slots__ = ("node_id", "instance_id", "_scope", "_last_progress")

    def __init__(self, node_id: str, instance_id: str, scope: RunScope | None = None, *,
                 session_id: str | None = None, artifacts: Any = None,
                 workflow: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
                 field_values: dict[str, Any] | None = None, cancel: threading.Event | None = None,
                 emit: Callable[[Any], None] | None = None) -> None:
        """The runner passes its run's `scope`; anyone else may give its parts by name.
        `workflow` may be a function that makes it: only nodes that save images read it."""
        self.node_id = node_id
        self.instance_id = instance_id
        self._scope = scope if scope is not None else RunScope(
            session_id, artifacts, workflow if workflow is not None else {}, field_values or {},
            cancel or threading.Event(), emit or _drop)
        self._last_progress = 0.0

    @property
    def session_id(self) -> str | None:
        return self._scope.session_id

    @property
    def artifacts(self) -> Any:
        return self._scope.artifacts

    @property
    def field_values(self) -> dict[str, Any]:
        return self._scope.field_values

    @property
    def workflow(self) -> dict[str, Any]:
        """The session's workflow as JSON (for image metadata)."""
        scope = self._scope
        if callable(scope.workflow):
            scope.workflow = scope.workflow()
        return scope.workflow

    @property
    def canceled(self) -> bool:
        return self._scope.cancel.is_set()

    def check_canceled(self) -> None:
        if self._scope.cancel.is_set():
            raise Canceled("canceled")

    def progress(self, fraction: float, message: str | None = None, preview: str | None = None) -> None:
        self.check_canceled()
        now = time.monotonic()
        if preview is None and fraction < 1.0 and now - self._last_progress < PROGRESS_INTERVAL_S:
            return
        self._last_progress = now
        self._scope.emit(NodeProgress(session_id=self.session_id, node_id=self.node_id,
                                instance_id=self.instance_id, fraction=max(0.0, min(1.0, fraction)),
                                message=message, preview=preview))

    @property
    def models(self) -> Any:
        """The worker process's model cache (engine.model_cache), with the settings of this home."""
        from . import model_cache

        root = getattr(self.artifacts, "root", None)
        return model_cache.shared(Path(root).parent if root is not None else None)


def _drop(_event: Any) -> None:
    pass
