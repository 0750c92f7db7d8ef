"""Main Model Loader: references by file identity, the shipped configs, VAE and noise like diffusers'."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from image_harness import Harness, random_rgb
from text_to_image_workflow import text_to_image

from nodeeditor.core.errors import LocatedError
from nodeeditor.engine.cache import OutputCache
from nodeeditor.nodes.models.files import CONFIGS, family_of_keys


@pytest.fixture
def h(tmp_path):
    return Harness(tmp_path)


def test_the_loader_outputs_small_references_that_name_the_file(h, tiny, models):
    out = h.run("main_model_loader", model=str(tiny.folder))
    assert out.unet.path == str(tiny.folder.resolve()) == out.clip.path == out.vae.path
    assert out.unet.size > 0 and out.unet.mtime_ns > 0
    assert len(out.unet.model_dump_json()) < 300


def test_an_empty_path_loads_the_default_model_of_the_settings(h, tiny, models, tmp_path):
    (tmp_path / "settings.ini").write_text(f"[models]\ndefault_model = {tiny.single_file}\n")
    assert h.run("main_model_loader").unet.path == str(tiny.single_file.resolve())


def test_a_second_session_takes_the_model_from_the_cache(h, tiny, models):
    h.run_graph(text_to_image(str(tiny.folder), seed=1))
    h.run_graph(text_to_image(str(tiny.folder), seed=2))
    assert models.figures.loads == 1
    assert models.figures.hits >= 3


def test_the_output_cache_keeps_the_loader_until_its_file_changes(h, tiny, models):
    cache = OutputCache()
    h.run_graph(text_to_image(str(tiny.single_file), seed=1), cache=cache)
    second = h.run_graph(text_to_image(str(tiny.single_file), seed=2), cache=cache)
    assert {s.node_id for s in second.stats if s.cached} >= {"loader", "positive", "negative"}
    info = tiny.single_file.stat()
    os.utime(tiny.single_file, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    third = h.run_graph(text_to_image(str(tiny.single_file), seed=2), cache=cache)
    assert third.status == "completed"
    assert not {s.node_id for s in third.stats if s.cached} & {"loader", "positive", "denoise"}
    assert models.figures.loads == 2


def test_a_file_rewritten_inside_a_model_folder_changes_its_identity(tiny, tmp_path):
    import shutil

    from nodeeditor.nodes.models.files import identify

    folder = shutil.copytree(tiny.folder, tmp_path / "copy")
    before = identify(str(folder))
    assert identify(str(folder)) == before
    config = folder / "scheduler" / "scheduler_config.json"
    config.write_text(config.read_text() + " ")
    assert identify(str(folder)) != before


def test_a_file_added_or_removed_inside_a_model_folder_changes_its_identity(tiny, tmp_path):
    """Later identities re-stat the files found before: a new or deleted file must still count,
    even one dated in the past (a copy that kept its time)."""
    import os
    import shutil

    from nodeeditor.nodes.models.files import identify

    folder = shutil.copytree(tiny.folder, tmp_path / "copy")
    before = identify(str(folder))
    extra = folder / "unet" / "extra.bin"
    extra.write_bytes(b"x" * 123)
    os.utime(extra, ns=(1, 1))
    added = identify(str(folder))
    assert added.size == before.size + 123
    extra.unlink()
    assert identify(str(folder)) == before
    (folder / "vae" / "config.json").unlink()
    assert identify(str(folder)).size < before.size


def test_a_missing_model_file_is_named_in_the_error(h, tmp_path, models):
    missing = tmp_path / "nowhere" / "model.safetensors"
    with pytest.raises(LocatedError) as caught:
        h.run("main_model_loader", model=str(missing))
    assert str(missing) in caught.value.message and caught.value.field == "model"


def test_a_damaged_model_file_is_named_in_the_error(h, tmp_path, models):
    damaged = tmp_path / "damaged.safetensors"
    damaged.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all")
    with pytest.raises(LocatedError) as caught:
        h.run("main_model_loader", model=str(damaged))
    assert f"model {damaged} cannot be loaded" in caught.value.message


def test_vae_encode_then_decode_keeps_the_image_size(h, tiny, models):
    vae = h.run("main_model_loader", model=str(tiny.folder)).vae
    image = h.put(random_rgb((64, 48)))
    latents = h.run("image_to_latents", image=image, vae=vae).latents
    assert h.latents(latents).shape == (4, 6, 8)
    decoded = h.run("latents_to_image", latents=latents, vae=vae)
    assert (decoded.width, decoded.height) == (64, 48)


def test_noise_latents_are_the_noise_diffusers_draws_for_the_seed(h):
    import torch
    from diffusers.utils.torch_utils import randn_tensor

    ours = h.latents(h.run("noise_latents", width=64, height=48, seed=11).latents)
    theirs = randn_tensor((1, 4, 6, 8), generator=torch.Generator("cpu").manual_seed(11), dtype=torch.float32)
    assert np.array_equal(ours, theirs[0].numpy())


def test_conditioning_is_stored_as_a_safetensors_tensor(h, tiny, models):
    from safetensors.numpy import load_file

    clip = h.run("main_model_loader", model=str(tiny.folder)).clip
    ref = h.run("prompt_to_conditioning", clip=clip, prompt="a red cube").conditioning
    path = h.artifacts.path_of(ref.conditioning_name)
    assert path.suffix == ".safetensors"
    assert load_file(path)["tensor"].shape == (77, 32)


@pytest.mark.parametrize("family, unet, text", [("sd1", 859_520_964, 123_060_480), ("sd2", 865_910_724, 340_387_840),
                                                ("sdxl", 2_567_463_684, 123_060_480)])
def test_the_shipped_configs_describe_the_published_architectures(family, unet, text):
    import torch
    from diffusers import UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    with torch.device("meta"):
        built_unet = UNet2DConditionModel.from_config(json.loads((CONFIGS / family / "unet" / "config.json").read_text()))
        built_text = CLIPTextModel(CLIPTextConfig.from_pretrained(CONFIGS / family / "text_encoder"))
    assert sum(p.numel() for p in built_unet.parameters()) == unet
    assert sum(p.numel() for p in built_text.parameters()) == text


def test_single_file_families_are_told_apart_by_their_tensor_names():
    unet = "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight"
    assert family_of_keys({unet, "cond_stage_model.transformer.text_model.final_layer_norm.weight"},
                          {unet: (320, 768)}) == "sd1"
    assert family_of_keys({unet, "cond_stage_model.model.ln_final.weight"}) == "sd2"
    assert family_of_keys({unet}, {unet: (320, 1024)}) == "sd2"
    assert family_of_keys({unet, "conditioner.embedders.1.model.ln_final.weight"}) == "sdxl"
    with pytest.raises(ValueError):
        family_of_keys({"some.other.weight"})
