"""A tiny random-weight Stable Diffusion model, saved the ways users have theirs (~1 MB, < 1 s).

A 2-block UNet2DConditionModel, a 4-level AutoencoderKL (8x, like SD's), a 2-layer CLIPTextModel
and a CLIPTokenizer whose vocabulary (bytes and specials, no merges) is written here. Saved as a
diffusers folder with `save_pretrained`, and as one .safetensors file (diffusers layout, configs in
its metadata) with the tokenizer in a folder beside it, and as one .safetensors file in the original
layout most users' checkpoints have (tests/original_layout.py), its configs and tokenizer in a
folder of the same name beside it.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from original_layout import to_original


@dataclass
class TinyModel:
    folder: Path
    single_file: Path
    pipeline: object
    original: Path
    """The same weights in the original (CompVis / A1111) layout, its architecture in a config
    folder beside it (the shipped SD configs describe full-size models, not this one)."""


def _byte_symbols() -> list[str]:
    """GPT-2's byte -> printable character table, the alphabet of CLIP's byte-level BPE."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    extra = [b for b in range(256) if b not in printable]
    return [chr(b) for b in printable] + [chr(256 + i) for i in range(len(extra))]


def build(root: Path, seed: int = 0) -> TinyModel:
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from safetensors.torch import save_file
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    symbols = _byte_symbols()
    vocab = {s: i for i, s in enumerate([*symbols, *(s + "</w>" for s in symbols), "<|startoftext|>", "<|endoftext|>"])}
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77)
    torch.manual_seed(seed)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        vocab_size=len(vocab), hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4,
        max_position_embeddings=77, bos_token_id=vocab["<|startoftext|>"], eos_token_id=vocab["<|endoftext|>"],
        pad_token_id=vocab["<|endoftext|>"]))
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64), layers_per_block=1, sample_size=8, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32, norm_num_groups=32, attention_head_dim=4)
    vae = AutoencoderKL(
        block_out_channels=(8, 16, 16, 16), in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=8,
        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4, layers_per_block=1,
        sample_size=64)
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                              set_alpha_to_one=False, steps_offset=1)
    pipeline = StableDiffusionPipeline(unet=unet, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer,
                                       scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                       requires_safety_checker=False)
    folder = root / "tiny-sd"
    pipeline.save_pretrained(folder)

    single = root / "single" / "tiny-sd.safetensors"
    single.parent.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(single.parent / "tokenizer")
    tensors = {f"{name}.{key}": value.contiguous() for name, module in
               (("unet", unet), ("vae", vae), ("text_encoder", text_encoder))
               for key, value in module.state_dict().items()}
    configs = {"unet": dict(unet.config), "vae": dict(vae.config), "text_encoder": text_encoder.config.to_dict(),
               "scheduler": dict(scheduler.config), "family": "custom"}
    save_file(tensors, str(single), metadata={"diffusers_configs": json.dumps(configs, default=list)})

    original = root / "original" / "tiny-sd.safetensors"
    shutil.copytree(folder, original.with_suffix(""), ignore=shutil.ignore_patterns("*.safetensors", "*.bin"))
    save_file(to_original(unet, vae, text_encoder), str(original))
    return TinyModel(folder, single, pipeline, original)
