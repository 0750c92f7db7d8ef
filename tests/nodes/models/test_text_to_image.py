"""Text -> conditioning -> denoise -> image with a tiny real model, as a user's model runs."""

from __future__ import annotations

import numpy as np
import pytest
from image_harness import Harness
from text_to_image_workflow import text_to_image

from nodeeditor.core.workflow import parse_workflow
from nodeeditor.engine.events import NodeProgress
from nodeeditor.engine.runner import run_workflow


@pytest.fixture
def h(tmp_path):
    return Harness(tmp_path)


def pixels(h: Harness, result) -> np.ndarray:
    assert result.status == "completed", result.error
    return h.pixels(result.outputs["decode"][()]["image"])


def test_a_prompt_becomes_an_image_of_the_noise_size(h, tiny, models):
    image = pixels(h, h.run_graph(text_to_image(str(tiny.folder), size=64)))
    assert image.shape == (64, 64, 3)
    assert image.std() > 1  # a picture, not a flat fill


def test_the_same_seed_gives_identical_pixels_and_another_seed_different_ones(h, tiny, models):
    first = pixels(h, h.run_graph(text_to_image(str(tiny.folder), seed=3)))
    again = pixels(h, h.run_graph(text_to_image(str(tiny.folder), seed=3)))
    other = pixels(h, h.run_graph(text_to_image(str(tiny.folder), seed=4)))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_a_single_safetensors_file_gives_the_pixels_of_its_folder(h, tiny, models):
    from_folder = pixels(h, h.run_graph(text_to_image(str(tiny.folder), seed=5)))
    from_file = pixels(h, h.run_graph(text_to_image(str(tiny.single_file), seed=5)))
    assert np.array_equal(from_folder, from_file)


def test_the_graph_draws_what_the_diffusers_pipeline_draws_for_the_same_seed(h, tiny, models):
    import torch

    ours = pixels(h, h.run_graph(text_to_image(str(tiny.folder), "a red cube", seed=7, steps=5, cfg_scale=5.0)))
    theirs = tiny.pipeline("a red cube", negative_prompt="", num_inference_steps=5, guidance_scale=5.0,
                           height=64, width=64, generator=torch.Generator("cpu").manual_seed(7),
                           output_type="np").images[0]
    assert np.abs(ours.astype(int) - np.rint(theirs * 255).astype(int)).max() <= 1


@pytest.mark.parametrize("scheduler", ["ddim", "euler", "euler_a", "dpmpp_2m"])
def test_every_scheduler_denoises_reporting_its_steps(h, tiny, models, scheduler):
    result = h.run_graph(text_to_image(str(tiny.folder), scheduler=scheduler, steps=3))
    image = pixels(h, result)
    steps = [e.message for e in h.events if isinstance(e, NodeProgress) and e.node_id == "denoise" and e.message]
    assert steps[0] == "step 1/3" and steps[-1] == "step 3/3"  # the engine coalesces to 30 events a second
    assert steps == sorted(set(steps))
    assert image.std() > 1


def test_denoising_shows_preview_images_of_the_latents_while_it_runs(h, tiny, models, monkeypatch):
    monkeypatch.setattr("nodeeditor.engine.context.PROGRESS_INTERVAL_S", 0.0)
    monkeypatch.setattr("nodeeditor.nodes.models.denoise.PREVIEW_INTERVAL_S", 0.0)
    h.run_graph(text_to_image(str(tiny.folder), steps=3))
    previews = [e.preview for e in h.events if isinstance(e, NodeProgress) and e.node_id == "denoise" and e.preview]
    assert len(previews) == 3  # after steps 1 and 2, then the result's own
    assert h.artifacts.load_image(previews[-1]).size == (8, 8)  # one pixel per latent cell


def test_cancel_stops_the_denoise_between_steps(h, tiny, models, monkeypatch):
    monkeypatch.setattr("nodeeditor.engine.context.PROGRESS_INTERVAL_S", 0.0)  # every step reported

    def on_event(event):
        h.events.append(event)
        if isinstance(event, NodeProgress) and event.message == "step 2/6":
            h.cancel.set()

    result = run_workflow(text_to_image(str(tiny.folder), steps=6), h.registry, artifacts=h.artifacts,
                          on_event=on_event, cancel=h.cancel)
    steps = [e.message for e in h.events if isinstance(e, NodeProgress) and e.node_id == "denoise" and e.message]
    assert result.status == "canceled"
    assert steps == ["step 1/6", "step 2/6"]


@pytest.mark.parametrize("scheduler", ["ddim", "euler"])
def test_denoising_split_in_two_slices_ends_where_one_pass_ends(h, tiny, models, scheduler):
    whole = pixels(h, h.run_graph(text_to_image(str(tiny.folder), seed=2, steps=4, scheduler=scheduler)))
    split = text_to_image(str(tiny.folder), seed=2, steps=4, scheduler=scheduler, denoising_end=0.5)
    data = split.model_dump(mode="json")
    data["nodes"].append({"id": "finish", "type": "denoise_latents", "position": [0, 300],
                          "inputs": {"steps": 4, "scheduler": scheduler, "seed": 2, "denoising_start": 0.5}})
    data["edges"] = [e for e in data["edges"] if e["destination"]["node"] != "decode" or
                     e["destination"]["field"] != "latents"]
    for source, field, target in (("loader", "unet", "unet"), ("positive", "conditioning", "positive_conditioning"),
                                  ("negative", "conditioning", "negative_conditioning"), ("denoise", "latents", "latents")):
        data["edges"].append({"source": {"node": source, "field": field}, "destination": {"node": "finish", "field": target}})
    data["edges"].append({"source": {"node": "finish", "field": "latents"}, "destination": {"node": "decode", "field": "latents"}})
    halves = pixels(h, h.run_graph(parse_workflow(data)))
    assert np.abs(whole.astype(int) - halves.astype(int)).max() <= 1


def test_denoise_without_noise_or_latents_says_what_to_link(h, tiny, models):
    workflow = text_to_image(str(tiny.folder))
    workflow.edges = [e for e in workflow.edges if e.destination.field != "noise"]
    result = h.run_graph(workflow)
    assert result.status == "failed"
    assert "link noise" in result.error.message and result.error.node_id == "denoise"
