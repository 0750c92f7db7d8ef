"""Plumbing shared by the image, latents and conditioning nodes: read referenced artifacts,
store results, report previews. Nodes pass names; only these helpers touch pixels on disk."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from PIL import Image

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import LocatedError, NodeEditorError
from nodeeditor.core.fields import ColorField, ImageField

from ._outputs import ImageOutput

Resample = Literal["nearest", "bilinear", "bicubic", "lanczos"]
RESAMPLE: dict[str, Image.Resampling] = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}
MAX_SIDE = 16384
"""Largest width or height a node will create."""


class ArtifactInputError(LocatedError):
    """An input names an artifact that is missing, unreadable, or outside the artifact folder."""


def load_input(context: InvocationContext, field: str, ref: ImageField) -> Image.Image:
    """The image an ImageField names; errors name the input field."""
    try:
        return context.artifacts.load_image(ref.image_name)
    except NodeEditorError as exc:
        raise ArtifactInputError(str(exc), field=field) from None


def load_array(context: InvocationContext, field: str, name: str) -> np.ndarray:
    """The float32 tensor an artifact name refers to; errors name the input field."""
    try:
        return np.asarray(context.artifacts.load_tensor(name), dtype=np.float32)
    except NodeEditorError as exc:
        raise ArtifactInputError(str(exc), field=field) from None


def save_preview(context: InvocationContext, image: Image.Image, *, gallery: bool = False,
                 metadata: dict[str, str] | None = None) -> str:
    """Store an image artifact and report it as the node's preview."""
    name = context.artifacts.save_image(image, session_id=context.session_id, node_id=context.node_id,
                                        metadata=metadata, gallery=gallery)
    context.progress(1.0, preview=name)
    return name


def image_output(context: InvocationContext, image: Image.Image) -> ImageOutput:
    name = save_preview(context, image)
    return ImageOutput(image=ImageField(image_name=name), width=image.width, height=image.height)


def normalize_mode(image: Image.Image) -> Image.Image:
    """Bring any decoded image to RGB, RGBA, L or LA, the modes every node handles."""
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    if image.mode in ("P", "PA"):
        return image.convert("RGBA" if "transparency" in image.info or image.mode == "PA" else "RGB")
    if image.mode == "1":
        return image.convert("L")
    if image.mode.startswith("I"):
        array = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if image.mode.startswith("I;16") or array.max(initial=0) > 255 else 255.0
        return Image.fromarray(np.clip(array * 255.0 / peak, 0, 255).astype(np.uint8), "L")
    if image.mode == "F":
        return Image.fromarray(np.clip(np.asarray(image) * 255.0, 0, 255).astype(np.uint8), "L")
    return image.convert("RGBA" if "A" in image.getbands() else "RGB")


def split_alpha(image: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    """Colour part (RGB or L) and alpha channel (None when opaque by mode)."""
    image = normalize_mode(image)
    if image.mode in ("RGBA", "LA"):
        return image.convert(image.mode[:-1]), image.getchannel("A")
    return image, None


def with_alpha(color: Image.Image, alpha: Image.Image | None) -> Image.Image:
    if alpha is None:
        return color
    color = color.convert("RGBA" if color.mode == "RGB" else "LA")
    color.putalpha(alpha)
    return color


def as_rgb(image: Image.Image) -> Image.Image:
    """RGB or RGBA, keeping transparency."""
    image = normalize_mode(image)
    if image.mode == "L":
        return image.convert("RGB")
    if image.mode == "LA":
        return image.convert("RGBA")
    return image


def fill_mode(image_mode: str, color: ColorField) -> str:
    """Mode that can hold both `image_mode` pixels and `color` (adds alpha if the colour needs it)."""
    base = "L" if image_mode in ("L", "LA") and color.r == color.g == color.b else "RGB"
    has_alpha = image_mode.endswith("A") or color.a < 255
    return base + "A" if has_alpha else base


def fill_value(mode: str, color: ColorField) -> Any:
    values = {"L": color.r, "LA": (color.r, color.a), "RGB": color.tuple()[:3], "RGBA": color.tuple()}
    return values[mode]


def as_mask(image: Image.Image) -> Image.Image:
    """An 8-bit mask: the alpha channel of images with one, else their luminance."""
    image = normalize_mode(image)
    if image.mode in ("RGBA", "LA"):
        return image.getchannel("A")
    return image.convert("L")


def to_float(image: Image.Image) -> np.ndarray:
    """Pixels in 0..1, float32, shape (H, W, C)."""
    array = np.asarray(image, dtype=np.float32) / 255.0
    return array[..., None] if array.ndim == 2 else array


def from_float(array: np.ndarray) -> Image.Image:
    """Back to 8-bit pixels; the channel count decides the mode (L, LA, RGB, RGBA)."""
    data = np.rint(np.clip(array, 0.0, 1.0) * 255.0).astype(np.uint8)
    if data.ndim == 3 and data.shape[2] == 1:
        data = data[..., 0]
    return Image.fromarray(data)


def weights_for(count: int, weights: list[float], normalize: bool) -> np.ndarray:
    """The weights to use: equal when none are given, scaled to sum to 1 when asked."""
    if not weights:
        values = np.full(count, 1.0 / count)
    elif len(weights) != count:
        raise LocatedError(f"{len(weights)} weights were given for {count} items; give one per item "
                           "or none for equal weights", field="weights")
    else:
        values = np.asarray(weights, dtype=np.float64)
    if normalize:
        total = values.sum()
        if total == 0:
            raise LocatedError("the weights sum to 0 and cannot be normalized", field="weights")
        values = values / total
    return values
