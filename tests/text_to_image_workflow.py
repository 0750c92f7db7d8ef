"""The text-to-image graph of the tests: loader -> two prompts -> noise -> denoise -> decode."""

from __future__ import annotations

from typing import Any

from nodeeditor.core.workflow import Workflow, parse_workflow


def text_to_image(model: str, prompt: str = "a red cube", seed: int = 1, *, steps: int = 4,
                  scheduler: str = "ddim", size: int = 64, cfg_scale: float = 7.5, **denoise: Any) -> Workflow:
    nodes = {
        "loader": ("main_model_loader", {"model": model}),
        "positive": ("prompt_to_conditioning", {"prompt": prompt}),
        "negative": ("prompt_to_conditioning", {"prompt": ""}),
        "noise": ("noise_latents", {"width": size, "height": size, "seed": seed}),
        "denoise": ("denoise_latents", {"steps": steps, "scheduler": scheduler, "cfg_scale": cfg_scale,
                                        "seed": seed, **denoise}),
        "decode": ("latents_to_image", {}),
    }
    links = [("loader", "clip", "positive", "clip"), ("loader", "clip", "negative", "clip"),
             ("loader", "unet", "denoise", "unet"), ("positive", "conditioning", "denoise", "positive_conditioning"),
             ("negative", "conditioning", "denoise", "negative_conditioning"), ("noise", "latents", "denoise", "noise"),
             ("denoise", "latents", "decode", "latents"), ("loader", "vae", "decode", "vae")]
    return parse_workflow({
        "version": 1, "name": "text to image",
        "nodes": [{"id": nid, "type": t, "position": [200.0 * i, 0.0], "inputs": inputs}
                  for i, (nid, (t, inputs)) in enumerate(nodes.items())],
        "edges": [{"source": {"node": s, "field": sf}, "destination": {"node": d, "field": df}}
                  for s, sf, d, df in links],
    })
