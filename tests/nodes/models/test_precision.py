"""Where models run and in what precision: half precision on a GPU, single on the CPU.

There is no GPU here: the choice is a pure function tested for both answers, and the
half-precision path (weights, conditioning and latents in float16, the VAE kept in float32 when its
config asks) runs end to end on the CPU, where torch computes in float16 too.
"""

from __future__ import annotations

import numpy as np
import pytest
from image_harness import Harness
from text_to_image_workflow import text_to_image

from nodeeditor.nodes.models import loading
from nodeeditor.nodes.models.extra import device_and_dtype, placement, vae_precision


@pytest.fixture
def h(tmp_path):
    return Harness(tmp_path)


def test_a_gpu_runs_models_in_half_precision_and_the_cpu_in_single():
    assert placement(cuda_available=True) == ("cuda", "float16")
    assert placement(cuda_available=False) == ("cpu", "float32")


def test_a_vae_that_asks_to_be_upcast_stays_in_single_precision():
    assert vae_precision("float16", force_upcast=True) == "float32"
    assert vae_precision("float16", force_upcast=False) == "float16"
    assert vae_precision("float32", force_upcast=False) == "float32"


def test_this_machine_gets_what_placement_says_for_its_torch():
    import torch

    device, dtype = device_and_dtype()
    assert (device.type, str(dtype).removeprefix("torch.")) == placement(torch.cuda.is_available())


def test_the_half_precision_path_draws_what_single_precision_draws(h, tiny, models, monkeypatch):
    import torch

    single = h.pixels(h.run_graph(text_to_image(str(tiny.folder), seed=5)).outputs["decode"][()]["image"])
    models.clear()
    monkeypatch.setattr(loading, "device_and_dtype", lambda: (torch.device("cpu"), getattr(torch, placement(True)[1])))
    result = h.run_graph(text_to_image(str(tiny.folder), seed=5))
    assert result.status == "completed", result.error
    (model,) = [entry.value for entry in models._entries.values()]
    assert (model.unet.dtype, model.text_encoder.dtype) == (torch.float16, torch.float16)
    assert model.vae.dtype == torch.float32  # the tiny VAE's config keeps diffusers' force_upcast default
    half = h.pixels(result.outputs["decode"][()]["image"])
    assert np.abs(half.astype(int) - single.astype(int)).max() <= 3
