"""Images and tensors as files under the data folder, passed between nodes by name.

Tensors are safetensors files (one tensor named "tensor"): a plain header and raw bytes, never a
pickle, readable by torch, numpy and every other tool of the field. `.npy` files written before
are still read.

Files are written atomically (temporary file, then rename). Names are generated here; a name
that arrives from a workflow is checked so that it can never point outside the artifact folder.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np
from PIL import Image, PngImagePlugin
from safetensors import SafetensorError
from safetensors.numpy import load as load_safetensors
from safetensors.numpy import save as save_safetensors

from nodeeditor.core.errors import NodeEditorError
from nodeeditor.core.files import atomic_write_bytes

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
TENSOR_KEY = "tensor"
THUMBNAIL_SIZE = 128


class ArtifactError(NodeEditorError):
    """An artifact name is unsafe, or its file is missing or unreadable."""


@dataclass
class ArtifactRecord:
    name: str
    kind: str
    size: int
    dims: list[int]
    session_id: str | None = None
    node_id: str | None = None
    gallery: bool = False
    created: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


class FileArtifactStore:
    """The artifact folder; `on_saved` lets the database index each new file."""

    def __init__(self, root: Path, on_saved: Callable[[ArtifactRecord], None] | None = None) -> None:
        self.root = Path(root)
        self.on_saved = on_saved
        self.root.mkdir(parents=True, exist_ok=True)

    def path_of(self, name: str) -> Path:
        if not isinstance(name, str) or not NAME.match(name) or ".." in name:
            raise ArtifactError(f"artifact name {name!r} is not a plain file name")
        folder = "images" if name.endswith(".png") else "tensors"
        path = (self.root / folder / name).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ArtifactError(f"artifact name {name!r} points outside the artifact folder")
        return path

    def _record(self, record: ArtifactRecord) -> None:
        if self.on_saved is not None:
            self.on_saved(record)

    def save_image(self, image: Image.Image, *, session_id: str | None = None, node_id: str | None = None,
                   metadata: dict[str, str] | None = None, gallery: bool = False) -> str:
        name = f"img_{uuid.uuid4().hex}.png"
        info = PngImagePlugin.PngInfo()
        for key, value in (metadata or {}).items():
            info.add_itxt(key, value)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", pnginfo=info, compress_level=1)
        data = buffer.getvalue()
        atomic_write_bytes(self.path_of(name), data, durable=False)
        self._record(ArtifactRecord(name, "image", len(data), [image.width, image.height],
                                    session_id, node_id, gallery))
        return name

    def load_image(self, name: str) -> Image.Image:
        path = self.path_of(name)
        try:
            with Image.open(path) as img:
                img.load()
                return img
        except FileNotFoundError:
            raise ArtifactError(f"image {name!r} is missing from {path.parent}") from None
        except (OSError, Image.DecompressionBombError) as exc:
            raise ArtifactError(f"image {name!r} ({path}) cannot be read: {exc}") from None

    def save_tensor(self, array: np.ndarray, *, kind: str = "tensor", session_id: str | None = None,
                    node_id: str | None = None) -> str:
        name = f"{kind[:4]}_{uuid.uuid4().hex}.safetensors"
        data = save_safetensors({TENSOR_KEY: np.ascontiguousarray(array)}, metadata={"kind": kind})
        atomic_write_bytes(self.path_of(name), data, durable=False)
        self._record(ArtifactRecord(name, kind, len(data), list(array.shape), session_id, node_id))
        return name

    def load_tensor(self, name: str) -> np.ndarray:
        path = self.path_of(name)
        try:
            if name.endswith(".npy"):
                return np.load(path, allow_pickle=False)
            tensors = load_safetensors(path.read_bytes())
        except FileNotFoundError:
            raise ArtifactError(f"tensor {name!r} is missing from {path.parent}") from None
        except (OSError, ValueError, SafetensorError) as exc:
            raise ArtifactError(f"tensor {name!r} ({path}) cannot be read: {exc}") from None
        if TENSOR_KEY not in tensors:
            raise ArtifactError(f"tensor {name!r} ({path}) holds no tensor named {TENSOR_KEY!r}")
        return tensors[TENSOR_KEY]

    def thumbnail(self, name: str, size: int = THUMBNAIL_SIZE) -> Path:
        """A small PNG of an image artifact, made once and kept beside the images."""
        self.path_of(name)
        thumb = (self.root / "thumbnails" / f"{int(size)}_{name}").resolve()
        if not thumb.is_relative_to(self.root.resolve()):
            raise ArtifactError(f"thumbnail of {name!r} points outside the artifact folder")
        if not thumb.exists():
            image = self.load_image(name)
            image.thumbnail((size, size))
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            atomic_write_bytes(thumb, buffer.getvalue(), durable=False)
        return thumb

    def png_metadata(self, name: str) -> dict[str, Any]:
        image = self.load_image(name)
        return dict(getattr(image, "text", {}) or {})
