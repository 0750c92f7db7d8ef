"""What a running node may ask of the engine; the engine provides the implementation.

Kept as a Protocol so node code depends on core only. Images are PIL images and tensors numpy
arrays at run time, but core names them `Any` to stay free of those libraries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol


class ArtifactStore(Protocol):
    """Files under the data folder that nodes pass by name (ImageField, LatentsField, ...)."""

    root: Path

    def save_image(self, image: Any, *, session_id: str | None = None, node_id: str | None = None,
                   metadata: dict[str, str] | None = None, gallery: bool = False) -> str: ...

    def load_image(self, name: str) -> Any: ...

    def save_tensor(self, array: Any, *, kind: str = "tensor", session_id: str | None = None,
                    node_id: str | None = None) -> str: ...

    def load_tensor(self, name: str) -> Any: ...

    def path_of(self, name: str) -> Path: ...


class InvocationContext(Protocol):
    node_id: str
    """Id of the node the person drew (iterated copies share it)."""
    session_id: str | None
    artifacts: ArtifactStore
    workflow: dict[str, Any]
    """The workflow JSON this session runs, for embedding into outputs."""
    field_values: dict[str, Any]
    """Batch field values of this session, "node.field" -> value."""

    def progress(self, fraction: float, message: str | None = None, preview: str | None = None) -> None:
        """Report progress in 0..1; raises Canceled when the session was canceled."""

    @property
    def canceled(self) -> bool: ...

    def check_canceled(self) -> None:
        """Raise Canceled if the session was canceled."""

    @property
    def models(self) -> Any:
        """The process's cache of loaded models (see engine.model_cache); used by model nodes."""
