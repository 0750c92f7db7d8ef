"""Load a diffusers folder or a single-file checkpoint into torch modules, offline.

- A diffusers folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/) loads
  part by part with `from_pretrained(..., local_files_only=True)`.
- A single file in the original layout (A1111 / ComfyUI checkpoints) goes through diffusers'
  `from_single_file` with the architecture configs shipped in `configs/` (SD 1.x, 2.x or XL, told
  apart by its tensor names), or those of a config folder named like the file beside it (another
  architecture); its tokenizer comes from a `tokenizer/` folder beside the file, else from the
  Hugging Face cache, never from the network.
- A single file in diffusers layout (`unet.*`, `vae.*`, `text_encoder.*` tensors, the configs in
  its metadata under `diffusers_configs`) is built from those configs and filled directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .extra import device_and_dtype, require, vae_precision
from .files import CONFIGS, Identity, beside, config_beside, family_of_keys, folder_family, is_diffusers_layout

CONFIG_KEY = "diffusers_configs"
HUB_TOKENIZERS = {
    "sd1": [("openai/clip-vit-large-patch14", None), ("stable-diffusion-v1-5/stable-diffusion-v1-5", "tokenizer")],
    "sd2": [("stabilityai/stable-diffusion-2-1", "tokenizer")],
    "sdxl": [("stabilityai/stable-diffusion-xl-base-1.0", "tokenizer")],
    "sdxl_2": [("stabilityai/stable-diffusion-xl-base-1.0", "tokenizer_2"),
               ("laion/CLIP-ViT-bigG-14-laion2B-39B-b160k", None)],
}
"""Where a tokenizer may already sit in the Hugging Face cache (read with local_files_only)."""


@dataclass
class LoadedModel:
    """Every part of one checkpoint, on one device."""

    family: str
    unet: Any
    vae: Any
    text_encoder: Any
    tokenizer: Any
    scheduler_config: dict[str, Any]
    device: Any
    dtype: Any
    text_encoder_2: Any = None
    tokenizer_2: Any = None
    schedulers: dict[str, Any] = field(default_factory=dict)
    """One scheduler per sampler name, copied for each run."""

    @property
    def vae_scale(self) -> int:
        return 2 ** (len(self.vae.config.block_out_channels) - 1)

    def modules(self) -> list[Any]:
        return [m for m in (self.unet, self.vae, self.text_encoder, self.text_encoder_2) if m is not None]

    def size(self) -> int:
        return sum(t.numel() * t.element_size() for m in self.modules()
                   for t in [*m.parameters(), *m.buffers()])


def load(identity: Identity) -> tuple[LoadedModel, int, str]:
    """Read the model `identity` names and place it on the GPU when there is one; returns the
    model, the bytes it holds and its device type, as the model cache wants them."""
    torch = require()[0]
    device, dtype = device_and_dtype()
    path = Path(identity.path)
    with torch.inference_mode():
        model = _load_folder(path, device, dtype) if path.is_dir() else _load_file(path, device, dtype)
    for module in model.modules():
        module.requires_grad_(False)
        module.eval()
    return model, model.size(), device.type


def _finish(model: LoadedModel) -> LoadedModel:
    """Move to the device; SDXL's VAE overflows in half precision, so it stays in float32."""
    torch = require()[0]
    for name in ("unet", "text_encoder", "text_encoder_2"):
        module = getattr(model, name)
        if module is not None:
            setattr(model, name, module.to(model.device, model.dtype))
    vae_dtype = vae_precision(str(model.dtype).removeprefix("torch."), bool(getattr(model.vae.config, "force_upcast", False)))
    model.vae = model.vae.to(model.device, getattr(torch, vae_dtype))
    return model


def _read_json(path: Path, default: dict[str, Any] | None = None) -> dict[str, Any]:
    if not path.is_file() and default is not None:
        return default
    return json.loads(path.read_text(encoding="utf-8"))


def _load_folder(path: Path, device: Any, dtype: Any) -> LoadedModel:
    _, diffusers, transformers = require()
    local = dict(local_files_only=True)
    second = (path / "text_encoder_2").is_dir()
    family = folder_family(path)
    return _finish(LoadedModel(
        family=family,
        unet=diffusers.UNet2DConditionModel.from_pretrained(path, subfolder="unet", **local),
        vae=diffusers.AutoencoderKL.from_pretrained(path, subfolder="vae", **local),
        text_encoder=transformers.CLIPTextModel.from_pretrained(path / "text_encoder", **local),
        tokenizer=transformers.CLIPTokenizer.from_pretrained(path / "tokenizer", **local),
        text_encoder_2=(transformers.CLIPTextModelWithProjection.from_pretrained(path / "text_encoder_2", **local)
                        if second else None),
        tokenizer_2=transformers.CLIPTokenizer.from_pretrained(path / "tokenizer_2", **local) if second else None,
        scheduler_config=_read_json(path / "scheduler" / "scheduler_config.json",
                                    _read_json(CONFIGS / "sd1" / "scheduler" / "scheduler_config.json")),
        device=device, dtype=dtype))


def _tensor_names(path: Path) -> tuple[set[str], dict[str, tuple[int, ...]], dict[str, str], dict[str, Any] | None]:
    """Names, shapes and metadata of a single file; a .ckpt has to be read whole (weights only)."""
    torch = require()[0]
    if path.suffix.lower() == ".safetensors":
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as handle:
            keys = set(handle.keys())
            shapes = {k: tuple(handle.get_slice(k).get_shape()) for k in keys if k.endswith("to_k.weight")}
            return keys, shapes, handle.metadata() or {}, None
    state = torch.load(path, map_location="cpu", weights_only=True)
    state = state.get("state_dict", state) if isinstance(state, dict) else state
    if not isinstance(state, dict):
        raise ValueError("it holds no state dict")
    return set(state), {k: tuple(v.shape) for k, v in state.items() if k.endswith("to_k.weight")}, {}, state


def _load_file(path: Path, device: Any, dtype: Any) -> LoadedModel:
    keys, shapes, metadata, state = _tensor_names(path)
    if is_diffusers_layout(keys):
        return _load_diffusers_file(path, metadata, state, device, dtype)
    config = config_beside(path)
    family = folder_family(config) if config is not None else family_of_keys(keys, shapes)
    config = config or CONFIGS / family
    _, diffusers, _ = require()
    tokenizers = {"tokenizer": _tokenizer(path, family if family in HUB_TOKENIZERS else "sd1", "tokenizer")}
    pipeline = diffusers.StableDiffusionPipeline
    if family == "sdxl":
        tokenizers["tokenizer_2"] = _tokenizer(path, "sdxl_2", "tokenizer_2")
        pipeline = diffusers.StableDiffusionXLPipeline
    else:
        tokenizers.update(safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    pipe = pipeline.from_single_file(str(path), config=str(config), local_files_only=True, **tokenizers)
    return _finish(LoadedModel(
        family=family, unet=pipe.unet, vae=pipe.vae, text_encoder=pipe.text_encoder, tokenizer=pipe.tokenizer,
        text_encoder_2=getattr(pipe, "text_encoder_2", None), tokenizer_2=getattr(pipe, "tokenizer_2", None),
        scheduler_config=_read_json(config / "scheduler" / "scheduler_config.json",
                                    _read_json(CONFIGS / "sd1" / "scheduler" / "scheduler_config.json")),
        device=device, dtype=dtype))


def _tokenizer(path: Path, family: str, folder: str) -> Any:
    """A single file carries no tokenizer: take the one beside it, else one already cached."""
    transformers = require()[2]
    found = beside(path, folder)
    if found is not None:
        return transformers.CLIPTokenizer.from_pretrained(found, local_files_only=True)
    for repo, subfolder in HUB_TOKENIZERS[family]:
        try:
            return transformers.CLIPTokenizer.from_pretrained(repo, subfolder=subfolder, local_files_only=True)
        except (OSError, ValueError):
            continue
    raise FileNotFoundError(f"no tokenizer for it: put the CLIP tokenizer files (vocab.json and merges.txt, or "
                            f"tokenizer.json) in a '{folder}' folder beside it")


def _load_diffusers_file(path: Path, metadata: dict[str, str], state: dict[str, Any] | None,
                         device: Any, dtype: Any) -> LoadedModel:
    torch, diffusers, transformers = require()
    if CONFIG_KEY not in metadata:
        raise ValueError(f"its tensors are in diffusers layout but its metadata has no {CONFIG_KEY!r}")
    configs = json.loads(metadata[CONFIG_KEY])
    if state is None:
        from safetensors.torch import load_file

        state = load_file(str(path))
    parts: dict[str, dict[str, Any]] = {"unet": {}, "vae": {}, "text_encoder": {}}
    for key, tensor in state.items():
        prefix, _, rest = key.partition(".")
        if prefix in parts:
            parts[prefix][rest] = tensor
    unet = diffusers.UNet2DConditionModel.from_config(configs["unet"])
    vae = diffusers.AutoencoderKL.from_config(configs["vae"])
    text_encoder = transformers.CLIPTextModel(transformers.CLIPTextConfig.from_dict(configs["text_encoder"]))
    for name, module in (("unet", unet), ("vae", vae), ("text_encoder", text_encoder)):
        module.load_state_dict(parts[name], strict=True)
    return _finish(LoadedModel(
        family=configs.get("family", "custom"), unet=unet, vae=vae, text_encoder=text_encoder,
        tokenizer=_tokenizer(path, "sd1", "tokenizer"), scheduler_config=configs.get("scheduler") or
        _read_json(CONFIGS / "sd1" / "scheduler" / "scheduler_config.json"), device=device, dtype=dtype))
