"""Single-file checkpoints in the original (CompVis / A1111) layout load offline: the family from
their tensor names picks a shipped config, or a config folder beside the file describes them."""

from __future__ import annotations

import json
import shutil
import socket

import numpy as np
import pytest
from image_harness import Harness
from original_layout import unet_to_original
from text_to_image_workflow import text_to_image

from nodeeditor.core.errors import LocatedError
from nodeeditor.nodes.models.files import CONFIGS, family_of_keys


@pytest.fixture
def h(tmp_path):
    return Harness(tmp_path)


@pytest.fixture
def no_network(monkeypatch):
    """Every connection attempt is refused and recorded: a load that fetches anything fails the test."""
    attempts: list[object] = []

    def refuse(_sock, address):
        attempts.append(address)
        raise OSError("this test has no network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    return attempts


def pixels(h: Harness, result) -> np.ndarray:
    assert result.status == "completed", result.error
    return h.pixels(result.outputs["decode"][()]["image"])


def test_an_original_layout_checkpoint_gives_the_pixels_of_its_folder_offline(h, tiny, models, no_network):
    from_folder = pixels(h, h.run_graph(text_to_image(str(tiny.folder), seed=6)))
    from_original = pixels(h, h.run_graph(text_to_image(str(tiny.original), seed=6)))
    assert np.array_equal(from_folder, from_original)
    assert no_network == []


def test_without_a_config_folder_the_shipped_config_of_its_family_is_used(h, tiny, models, no_network, tmp_path,
                                                                         monkeypatch):
    """The tiny weights do not fit SD 1.5's shipped architecture, so the load fails, naming the file;
    what matters is which config diffusers was given, and that nothing was fetched."""
    from diffusers import StableDiffusionPipeline

    given: list[str] = []
    real = StableDiffusionPipeline.from_single_file.__func__

    def spy(cls, path, **options):
        given.append(options["config"])
        return real(cls, path, **options)

    monkeypatch.setattr(StableDiffusionPipeline, "from_single_file", classmethod(spy))
    alone = tmp_path / "alone" / "checkpoint.safetensors"
    alone.parent.mkdir()
    shutil.copy(tiny.original, alone)
    shutil.copytree(tiny.original.with_suffix("") / "tokenizer", alone.parent / "tokenizer")
    with pytest.raises(LocatedError) as caught:
        h.run("main_model_loader", model=str(alone))
    assert given == [str(CONFIGS / "sd1")]
    assert str(alone) in caught.value.message and caught.value.field == "model"
    assert no_network == []


@pytest.mark.parametrize("family", ["sd1", "sd2"])
def test_a_published_unet_in_original_names_is_told_to_be_its_family(family):
    """The UNet of each shipped config, built without memory and named as the original checkpoints
    name it, is recognised from its names and its cross-attention width."""
    import torch
    from diffusers import UNet2DConditionModel

    config = json.loads((CONFIGS / family / "unet" / "config.json").read_text())
    with torch.device("meta"):
        unet = UNet2DConditionModel.from_config(config)
    names = {f"model.diffusion_model.{k}": tuple(v.shape)
             for k, v in unet_to_original(unet.state_dict(), unet.config).items()}
    assert family_of_keys(set(names), {k: s for k, s in names.items() if k.endswith("to_k.weight")}) == family
