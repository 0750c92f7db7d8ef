"""Runs image, latents and conditioning nodes against a real artifact folder, directly or as graphs."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from nodeeditor.core.fields import ConditioningField, ImageField, LatentsField
from nodeeditor.core.node import BaseNode, BaseOutput
from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import Workflow, parse_workflow
from nodeeditor.engine.context import NodeContext
from nodeeditor.engine.events import NodeProgress
from nodeeditor.engine.runner import RunResult, run_workflow
from nodeeditor.store.artifacts import FileArtifactStore


class Harness:
    def __init__(self, root: Path) -> None:
        self.artifacts = FileArtifactStore(root / "artifacts")
        self.registry = default_registry()
        self.events: list[Any] = []
        self.cancel = threading.Event()

    def context(self, node_id: str = "n1", workflow: dict[str, Any] | None = None,
                field_values: dict[str, Any] | None = None) -> NodeContext:
        return NodeContext(node_id=node_id, instance_id=node_id, session_id="s1", artifacts=self.artifacts,
                           workflow=workflow or {}, field_values=field_values or {},
                           cancel=self.cancel, emit=self.events.append)

    def run(self, node_type: str, **inputs: Any) -> BaseOutput:
        spec = self.registry.get(node_type)
        assert spec is not None, f"{node_type} is not registered"
        node: BaseNode = spec.cls.model_validate(inputs)
        return node.invoke(self.context())

    def put(self, image: Image.Image) -> ImageField:
        return ImageField(image_name=self.artifacts.save_image(image))

    def put_latents(self, array: np.ndarray) -> LatentsField:
        return LatentsField(latents_name=self.artifacts.save_tensor(np.asarray(array, np.float32), kind="latents"))

    def put_conditioning(self, array: np.ndarray) -> ConditioningField:
        name = self.artifacts.save_tensor(np.asarray(array, np.float32), kind="conditioning")
        return ConditioningField(conditioning_name=name)

    def image(self, ref: ImageField) -> Image.Image:
        return self.artifacts.load_image(ref.image_name)

    def pixels(self, ref: ImageField) -> np.ndarray:
        return np.asarray(self.image(ref))

    def latents(self, ref: LatentsField) -> np.ndarray:
        return self.artifacts.load_tensor(ref.latents_name)

    def conditioning(self, ref: ConditioningField) -> np.ndarray:
        return self.artifacts.load_tensor(ref.conditioning_name)

    def previews(self) -> list[str]:
        return [e.preview for e in self.events if isinstance(e, NodeProgress) and e.preview]

    def run_graph(self, workflow: Workflow, **kwargs: Any) -> RunResult:
        return run_workflow(workflow, self.registry, artifacts=self.artifacts, on_event=self.events.append,
                            **kwargs)


def graph(nodes: dict[str, tuple[str, dict[str, Any]]], links: list[tuple[str, str, str, str]] = ()) -> Workflow:
    """nodes: id -> (type, inputs); links: (source node, output, destination node, input)."""
    return parse_workflow({
        "version": 1, "name": "test",
        "nodes": [{"id": nid, "type": t, "position": [10.0 * i, 5.0], "inputs": inputs}
                  for i, (nid, (t, inputs)) in enumerate(nodes.items())],
        "edges": [{"source": {"node": s, "field": sf}, "destination": {"node": d, "field": df}}
                  for s, sf, d, df in links],
    })


def solid(color: tuple[int, ...], size: tuple[int, int] = (16, 12)) -> Image.Image:
    return Image.new("RGBA" if len(color) == 4 else "L" if len(color) == 1 else "RGB", size,
                     color if len(color) > 1 else color[0])


def random_rgb(size: tuple[int, int] = (24, 16), seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
