"""Real VAE decode and encode, for Latents to Image and Image to Latents when a VAE is linked."""

from __future__ import annotations

import numpy as np
from PIL import Image

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.fields import VAEField

from .extra import require
from .loader import model_of


def _shift(vae: object) -> float:
    return float(getattr(vae.config, "shift_factor", None) or 0.0)  # type: ignore[attr-defined]


def decode(context: InvocationContext, ref: VAEField, latents: np.ndarray) -> Image.Image:
    """(channels, h, w) latents -> an RGB image `vae_scale` times larger."""
    torch = require()[0]
    model = model_of(context, ref, "vae")
    vae = model.vae
    channels = vae.config.latent_channels
    if latents.shape[0] != channels:
        raise LocatedError(f"this VAE takes {channels} latent channels, got {latents.shape[0]}", field="latents")
    with torch.inference_mode():
        sample = torch.from_numpy(np.ascontiguousarray(latents))[None].to(model.device, vae.dtype)
        sample = sample / vae.config.scaling_factor + _shift(vae)
        pixels = vae.decode(sample, return_dict=False)[0][0]
        pixels = ((pixels.float() / 2 + 0.5).clamp(0, 1) * 255).round().to(torch.uint8)
    return Image.fromarray(pixels.permute(1, 2, 0).cpu().numpy())


def encode(context: InvocationContext, ref: VAEField, image: Image.Image) -> np.ndarray:
    """An RGB image (cropped to a multiple of the VAE's scale) -> (channels, h, w) latents, the
    mean of the encoder's distribution, so the same image always gives the same latents."""
    torch = require()[0]
    model = model_of(context, ref, "vae")
    vae, scale = model.vae, model.vae_scale
    width, height = image.width // scale * scale, image.height // scale * scale
    if not width or not height:
        raise LocatedError(f"the image is {image.width}x{image.height}; this VAE needs at least "
                           f"{scale}x{scale} pixels", field="image")
    rgb = np.asarray(image.convert("RGB").crop((0, 0, width, height)), dtype=np.float32) / 127.5 - 1.0
    with torch.inference_mode():
        pixels = torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)))[None].to(model.device, vae.dtype)
        latents = vae.encode(pixels, return_dict=False)[0].mode()
        latents = (latents - _shift(vae)) * vae.config.scaling_factor
    return latents[0].float().cpu().numpy()
