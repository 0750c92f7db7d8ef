"""Latents: float32 arrays shaped (4, H/8, W/8), made, mixed and previewed without any model.

Without a VAE, image <-> latents uses a fixed linear projection, the SD1.x latent-preview factors:
an approximation of what a VAE does, good for previews and experiments, not a VAE. With a VAE
linked (from a Main Model Loader, the `models` extra) they decode and encode for real.

    latents -> RGB:  rgb = clip((l @ LATENT_RGB + LATENT_RGB_BIAS + 1) / 2, 0, 1) per latent cell
    RGB -> latents:  l = (2 * rgb - 1 - LATENT_RGB_BIAS) @ pinv(LATENT_RGB)

with l the 4 channel values of one cell (a row vector), rgb in 0..1, LATENT_RGB the 4x3 matrix
below and LATENT_RGB_BIAS = 0 (the SD1.x factors carry no bias). LATENT_RGB has full column rank,
so RGB -> latents -> RGB gives back every in-gamut colour exactly. One latent cell covers 8x8
pixels: encoding area-averages 8x8 blocks (sizes are floored to a multiple of 8), decoding
projects each cell and scales the result up 8 times.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from PIL import Image

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.fields import ImageField, LatentsField, VAEField
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, InputKind, OutputField, node

from ._imaging import (MAX_SIDE, RESAMPLE, ImageOutput, as_rgb, image_output, load_array, load_input, save_preview,
                       weights_for)
from ._outputs import LatentsOutput

LATENT_SCALE = 8
LATENT_CHANNELS = 4
LATENT_RGB = np.array([
    #   R        G        B
    [0.3512, 0.2297, 0.3227],
    [0.3250, 0.4974, 0.2350],
    [-0.2829, 0.1762, 0.2721],
    [-0.2120, -0.2616, -0.7177],
], dtype=np.float32)
LATENT_RGB_BIAS = np.zeros(3, dtype=np.float32)
RGB_LATENT = np.linalg.pinv(LATENT_RGB).astype(np.float32)
"""Pseudo-inverse of LATENT_RGB, shape (3, 4)."""

_LATENTS = dict(input=InputKind.CONNECTION)
_SIZE = dict(ge=LATENT_SCALE, le=MAX_SIDE, multiple_of=LATENT_SCALE)


def latents_to_rgb(latents: np.ndarray) -> np.ndarray:
    """(4, h, w) latents -> (h, w, 3) RGB in 0..1 at latent resolution."""
    cells = np.moveaxis(latents, 0, -1) @ LATENT_RGB + LATENT_RGB_BIAS
    return np.clip((cells + 1.0) / 2.0, 0.0, 1.0)


def rgb_to_latents(rgb: np.ndarray) -> np.ndarray:
    """(h, w, 3) RGB in 0..1 -> (4, h, w) float32 latents."""
    cells = (2.0 * rgb.astype(np.float32) - 1.0 - LATENT_RGB_BIAS) @ RGB_LATENT
    return np.ascontiguousarray(np.moveaxis(cells, -1, 0), dtype=np.float32)


def preview_image(latents: np.ndarray) -> Image.Image:
    return Image.fromarray(np.rint(latents_to_rgb(latents) * 255).astype(np.uint8))


def latents_output(context: InvocationContext, latents: np.ndarray, seed: int | None = None) -> LatentsOutput:
    """Store the array, preview it through the RGB projection, and reference it."""
    latents = np.ascontiguousarray(latents, dtype=np.float32)
    name = context.artifacts.save_tensor(latents, kind="latents", session_id=context.session_id,
                                         node_id=context.node_id)
    if latents.ndim == 3 and latents.shape[0] == LATENT_CHANNELS:
        save_preview(context, preview_image(latents))
    return LatentsOutput(latents=LatentsField(latents_name=name, seed=seed),
                         width=latents.shape[-1] * LATENT_SCALE, height=latents.shape[-2] * LATENT_SCALE)


def load_latents(context: InvocationContext, field: str, ref: LatentsField) -> np.ndarray:
    array = load_array(context, field, ref.latents_name)
    if array.ndim != 3:
        raise LocatedError(f"latents must be shaped (channels, height, width), got {array.shape}", field=field)
    return array


def same_shape(field: str, first: np.ndarray, other: np.ndarray) -> None:
    if first.shape != other.shape:
        raise LocatedError(f"latents shaped {other.shape} cannot be combined with latents shaped "
                           f"{first.shape}; scale one of them first", field=field)


def seeded_noise(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    """diffusers' seeded noise when torch is installed: `torch.randn` from a CPU generator seeded
    with `seed` (what the pipelines draw for a CPU generator, on any device); numpy's otherwise."""
    try:
        import torch
    except ImportError:
        return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)

    generator = torch.Generator("cpu").manual_seed(seed)
    return torch.randn((1, *shape), generator=generator, dtype=torch.float32)[0].numpy()


@node("noise_latents", title="Noise Latents", category="latents", tags=("random", "seed", "gaussian"))
class NoiseLatentsInvocation(BaseNode):
    """Standard normal latents for an image of width x height, from a seed: the same numbers as
    diffusers' pipelines draw for that seed when torch is installed (numpy's without it)."""

    width: int = InputField(512, description="Image width in pixels (a multiple of 8)", **_SIZE)
    height: int = InputField(512, description="Image height in pixels (a multiple of 8)", **_SIZE)
    seed: int = InputField(0, ge=0, le=2**63 - 1, description="Random seed")

    def invoke(self, context: InvocationContext) -> LatentsOutput:
        shape = (LATENT_CHANNELS, self.height // LATENT_SCALE, self.width // LATENT_SCALE)
        return latents_output(context, seeded_noise(self.seed, shape), self.seed)


_VAE = dict(input=InputKind.CONNECTION, title="VAE", description="A VAE from a Main Model Loader; without one the "
                                                    "fixed projection approximates it")


@node("image_to_latents", title="Image to Latents", category="latents", tags=("encode", "project", "vae"))
class ImageToLatentsInvocation(BaseNode):
    """Encodes an image into latents with the linked VAE; without a VAE, projects it (8x smaller)
    with the fixed linear approximation."""

    image: ImageField = InputField(description="The image to encode", input=InputKind.CONNECTION)
    vae: VAEField | None = InputField(None, **_VAE)

    def invoke(self, context: InvocationContext) -> LatentsOutput:
        image = as_rgb(load_input(context, "image", self.image)).convert("RGB")
        if self.vae is not None:
            from .models.vae import encode

            return latents_output(context, encode(context, self.vae, image))
        if image.width < LATENT_SCALE or image.height < LATENT_SCALE:
            raise LocatedError(f"the image is {image.width}x{image.height}; latents need at least "
                               f"{LATENT_SCALE}x{LATENT_SCALE} pixels", field="image")
        size = (image.width // LATENT_SCALE, image.height // LATENT_SCALE)
        small = image.resize(size, Image.Resampling.BOX)
        return latents_output(context, rgb_to_latents(np.asarray(small, dtype=np.float32) / 255.0))


@node("latents_to_image", title="Latents to Image", category="latents", tags=("decode", "preview", "project", "vae"))
class LatentsToImageInvocation(BaseNode):
    """Decodes latents into an image with the linked VAE; without a VAE, projects them to an RGB
    image 8x larger with the fixed linear approximation."""

    latents: LatentsField = InputField(description="The latents to decode", **_LATENTS)
    vae: VAEField | None = InputField(None, **_VAE)
    resample: Literal["nearest", "bilinear", "bicubic", "lanczos"] = InputField(
        "bilinear", description="How the 8x upscale fills in pixels (without a VAE)")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        array = load_latents(context, "latents", self.latents)
        if self.vae is not None:
            from .models.vae import decode

            return image_output(context, decode(context, self.vae, array))
        if array.shape[0] != LATENT_CHANNELS:
            raise LocatedError(f"the projection needs {LATENT_CHANNELS} channels, got {array.shape[0]}",
                               field="latents")
        small = preview_image(array)
        size = (small.width * LATENT_SCALE, small.height * LATENT_SCALE)
        return image_output(context, small.resize(size, RESAMPLE[self.resample]))


class _TwoLatents(BaseNode):
    a: LatentsField = InputField(description="First latents", **_LATENTS)
    b: LatentsField = InputField(description="Second latents", **_LATENTS)

    def load_pair(self, context: InvocationContext) -> tuple[np.ndarray, np.ndarray]:
        a = load_latents(context, "a", self.a)
        b = load_latents(context, "b", self.b)
        same_shape("b", a, b)
        return a, b


@node("lerp_latents", title="Lerp Latents", category="latents", tags=("interpolate", "mix", "linear"))
class LerpLatentsInvocation(_TwoLatents):
    """Linear interpolation: a at t = 0, b at t = 1."""

    t: float = InputField(0.5, ge=0, le=1, description="Position between a and b")

    def invoke(self, context: InvocationContext) -> LatentsOutput:
        a, b = self.load_pair(context)
        return latents_output(context, a + (b - a) * np.float32(self.t))


def slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Spherical interpolation of the flattened arrays; t = 0 and t = 1 give the ends exactly.

    Nearly parallel arrays fall back to linear interpolation, where slerp's formula is unstable.
    """
    if t == 0:
        return a.copy()
    if t == 1:
        return b.copy()
    a64, b64 = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    norms = np.linalg.norm(a64) * np.linalg.norm(b64)
    cos = float(np.clip(a64 @ b64 / norms, -1.0, 1.0)) if norms > 0 else 1.0
    omega = np.arccos(cos)
    if np.sin(omega) < 1e-6:
        return (a + (b - a) * np.float32(t)).astype(np.float32)
    mixed = (np.sin((1 - t) * omega) * a64 + np.sin(t * omega) * b64) / np.sin(omega)
    return mixed.reshape(a.shape).astype(np.float32)


@node("slerp_latents", title="Slerp Latents", category="latents", tags=("interpolate", "spherical", "mix"))
class SlerpLatentsInvocation(_TwoLatents):
    """Spherical interpolation, which keeps the spread of noise latents: a at t = 0, b at t = 1."""

    t: float = InputField(0.5, ge=0, le=1, description="Position between a and b")

    def invoke(self, context: InvocationContext) -> LatentsOutput:
        a, b = self.load_pair(context)
        return latents_output(context, slerp(a, b, self.t))


@node("add_latents", title="Add Latents", category="latents", tags=("sum", "plus", "combine"))
class AddLatentsInvocation(_TwoLatents):
    """a + weight * b."""

    weight: float = InputField(1.0, ge=-100, le=100, description="Factor applied to b")

    def invoke(self, context: InvocationContext) -> LatentsOutput:
        a, b = self.load_pair(context)
        return latents_output(context, a + b * np.float32(self.weight))


@node("multiply_latents", title="Multiply Latents", category="latents", tags=("scale", "gain", "times"))
class MultiplyLatentsInvocation(BaseNode):
    """Multiplies every value by a factor."""

    latents: LatentsField = InputField(description="The latents to multiply", **_LATENTS)
    factor: float = InputField(1.0, ge=-100, le=100, description="Factor")

    def invoke(self, context: InvocationContext) -> LatentsOutput:
        array = load_latents(context, "latents", self.latents)
        return latents_output(context, array * np.float32(self.factor), self.latents.seed)


def resize_latents(array: np.ndarray, size: tuple[int, int], resample: str) -> np.ndarray:
    """Resize each channel to size (width, height) as a float image, so no precision is lost."""
    channels = [np.asarray(Image.fromarray(np.ascontiguousarray(c, dtype=np.float32)).resize(size, RESAMPLE[resample])) for c in array]
    return np.stack(channels).astype(np.float32)


@node("scale_latents", title="Scale Latents", category="latents", tags=("resize", "upscale", "downscale"))
class ScaleLatentsInvocation(BaseNode):
    """Resizes latents by a factor (the image they stand for grows or shrinks the same)."""

    latents: LatentsField = InputField(description="The latents to scale", **_LATENTS)
    factor: float = InputField(2.0, gt=0, le=16, description="Scale factor")
    resample: Literal["nearest", "bilinear", "bicubic"] = InputField("bilinear", description="Resampling")

    def invoke(self, context: InvocationContext) -> LatentsOutput:
        array = load_latents(context, "latents", self.latents)
        size = (min(MAX_SIDE // LATENT_SCALE, max(1, round(array.shape[2] * self.factor))),
                min(MAX_SIDE // LATENT_SCALE, max(1, round(array.shape[1] * self.factor))))
        return latents_output(context, resize_latents(array, size, self.resample), self.latents.seed)


@node("blend_latents", title="Blend Latents", category="latents", tags=("mix", "weighted", "average"))
class BlendLatentsInvocation(BaseNode):
    """Weighted sum of a collection of latents (equal weights when none are given)."""

    latents: list[LatentsField] = InputField(description="The latents to blend", min_length=1, **_LATENTS)
    weights: list[float] = InputField(default_factory=list, description="One weight per latents")
    normalize: bool = InputField(True, description="Scale the weights to sum to 1")

    def invoke(self, context: InvocationContext) -> LatentsOutput:
        weights = weights_for(len(self.latents), self.weights, self.normalize)
        first = load_latents(context, "latents[0]", self.latents[0])
        total = first * np.float32(weights[0])
        for index in range(1, len(self.latents)):
            context.progress(index / len(weights))
            array = load_latents(context, f"latents[{index}]", self.latents[index])
            same_shape(f"latents[{index}]", first, array)
            total += array * np.float32(weights[index])
        return latents_output(context, total)


class LatentsInfoOutput(BaseOutput):
    shape: str = OutputField(description="shape as text, e.g. (4, 64, 64)")
    channels: int = OutputField(description="number of channels")
    height: int = OutputField(description="height in latent cells")
    width: int = OutputField(description="width in latent cells")
    mean: float = OutputField(description="mean of all values")
    std: float = OutputField(description="standard deviation of all values")


@node("latents_info", title="Latents Info", category="latents", tags=("shape", "statistics", "mean", "std"))
class LatentsInfoInvocation(BaseNode):
    """Reports the shape, mean and standard deviation of latents."""

    latents: LatentsField = InputField(description="The latents to inspect", **_LATENTS)

    def invoke(self, context: InvocationContext) -> LatentsInfoOutput:
        array = load_latents(context, "latents", self.latents)
        channels, height, width = array.shape
        return LatentsInfoOutput(shape=str(tuple(array.shape)), channels=channels, height=height, width=width,
                                 mean=float(array.mean(dtype=np.float64)), std=float(array.std(dtype=np.float64)))
