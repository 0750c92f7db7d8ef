"""Time the image, latents and conditioning nodes on a 512x512 image; prints one JSON object.

Each figure is the median of a few invocations in milliseconds, artifact writes included
(every node stores its result as a PNG or .npy file, as in a real session).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from nodeeditor.core.fields import ImageField
from nodeeditor.core.registry import default_registry
from nodeeditor.engine.context import NodeContext
from nodeeditor.nodes.image_filters import blur
from nodeeditor.store.artifacts import FileArtifactStore

SIDE = 512
REPEATS = 5


def median_ms(call: Any, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(times), 2)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="nodeeditor-bench-") as tmp:
        print(json.dumps(measure(Path(tmp))))


def measure(root: Path) -> dict[str, Any]:
    registry = default_registry()
    artifacts = FileArtifactStore(root)
    context = NodeContext(node_id="n", instance_id="n", session_id="bench", artifacts=artifacts,
                          workflow={"version": 1, "nodes": []}, field_values={},
                          cancel=threading.Event(), emit=lambda event: None)
    rng = np.random.default_rng(0)
    source = Image.fromarray(rng.integers(0, 256, (SIDE, SIDE, 3), dtype=np.uint8))
    image = ImageField(image_name=artifacts.save_image(source))
    path = root / "source.png"
    source.save(path)
    latents = registry.get("image_to_latents").cls(image=image).invoke(context).latents
    cases: dict[str, dict[str, Any]] = {
        "load_image": {"path": str(path)},
        "save_image": {"image": image},
        "resize_image(1024, lanczos)": {"image": image, "width": 1024, "height": 1024, "resample": "lanczos"},
        "blur_image(r=8)": {"image": image, "radius": 8},
        "adjust_image(all)": {"image": image, "brightness": 1.1, "contrast": 1.2, "saturation": 0.8,
                              "hue_shift": 30, "gamma": 1.4},
        "blend_images(overlay)": {"base": image, "layer": image, "mode": "overlay", "opacity": 0.5},
        "text_overlay": {"image": image, "text": "nodeeditor", "size": 48},
        "contact_sheet(16 x 256px)": {"images": [image] * 16, "columns": 4},
        "image_to_latents": {"image": image},
        "latents_to_image": {"latents": latents},
        "slerp_latents": {"a": latents, "b": latents, "t": 0.3},
        "text_to_conditioning": {"text": "a photograph of an astronaut riding a horse, detailed, 8k"},
    }
    figures: dict[str, Any] = {"image_side": SIDE, "repeats": REPEATS, "node_ms": {}}
    for label, inputs in cases.items():
        node = registry.get(label.split("(")[0]).cls.model_validate(inputs)
        figures["node_ms"][label] = median_ms(lambda: node.invoke(context))
    big = Image.fromarray(rng.integers(0, 256, (4096, 4096, 3), dtype=np.uint8))
    figures["blur_4096_r8_whole_ms"] = median_ms(lambda: blur(big, 8, "gaussian", strip_pixels=sys.maxsize), 2)
    figures["blur_4096_r8_strips_ms"] = median_ms(lambda: blur(big, 8, "gaussian", context), 2)
    return figures


if __name__ == "__main__":
    main()
