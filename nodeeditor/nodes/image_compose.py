"""Nodes that combine images or take them apart: blend modes, channel split/merge, masks.

Masks are 8-bit grey images (mode L): white selects, black leaves alone.
"""

from __future__ import annotations

from typing import Callable, Literal

import numpy as np
from PIL import Image

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.fields import ColorField, ImageField
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, InputKind, OutputField, node

from ._imaging import (ImageOutput, as_mask, as_rgb, from_float, image_output, load_input, split_alpha,
                       to_float, with_alpha)

BlendMode = Literal["normal", "multiply", "screen", "overlay", "add", "difference"]
BLENDS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "normal": lambda base, top: top,
    "multiply": lambda base, top: base * top,
    "screen": lambda base, top: 1 - (1 - base) * (1 - top),
    "overlay": lambda base, top: np.where(base <= 0.5, 2 * base * top, 1 - 2 * (1 - base) * (1 - top)),
    "add": lambda base, top: np.minimum(base + top, 1.0),
    "difference": lambda base, top: np.abs(base - top),
}


def blend_arrays(base: np.ndarray, top: np.ndarray, mode: str, weight: np.ndarray | float) -> np.ndarray:
    """Mix base with blend(base, top) by weight (0 keeps base, 1 takes the blend); arrays in 0..1."""
    return base + (BLENDS[mode](base, top) - base) * weight


@node("blend_images", title="Blend Images", category="image/compose",
      tags=("mix", "composite", "layer", "multiply", "screen", "overlay", "difference", "opacity"))
class BlendImagesInvocation(BaseNode):
    """Blends a layer over a base with a blend mode and opacity, through the layer's alpha and an
    optional mask. The layer is resized to the base; the result keeps the base's size and alpha."""

    base: ImageField = InputField(description="The bottom image", input=InputKind.CONNECTION)
    layer: ImageField = InputField(description="The top image", input=InputKind.CONNECTION)
    mode: BlendMode = InputField("normal", description="How layer and base combine")
    opacity: float = InputField(1.0, ge=0, le=1, description="0 keeps the base, 1 blends fully")
    mask: ImageField | None = InputField(None, input=InputKind.CONNECTION,
                                         description="Where to blend (white) and where not (black)")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        base_color, base_alpha = split_alpha(as_rgb(load_input(context, "base", self.base)))
        layer = as_rgb(load_input(context, "layer", self.layer)).resize(base_color.size, Image.Resampling.BILINEAR)
        layer_color, layer_alpha = split_alpha(layer)
        weight = np.full((base_color.height, base_color.width, 1), self.opacity, np.float32)
        if layer_alpha is not None:
            weight *= to_float(layer_alpha)
        if self.mask is not None:
            mask = as_mask(load_input(context, "mask", self.mask))
            weight *= to_float(mask.resize(base_color.size, Image.Resampling.BILINEAR))
        mixed = from_float(blend_arrays(to_float(base_color), to_float(layer_color), self.mode, weight))
        return image_output(context, with_alpha(mixed, base_alpha))


class ChannelsOutput(BaseOutput):
    red: ImageField = OutputField(description="red channel as a grey image")
    green: ImageField = OutputField(description="green channel as a grey image")
    blue: ImageField = OutputField(description="blue channel as a grey image")
    alpha: ImageField = OutputField(description="alpha channel (white where the image has none)")


@node("split_channels", title="Split Channels", category="image/compose", tags=("rgba", "channel", "separate"))
class SplitChannelsInvocation(BaseNode):
    """Splits an image into grey images of its red, green, blue and alpha channels."""

    image: ImageField = InputField(description="The image to split", input=InputKind.CONNECTION)

    def invoke(self, context: InvocationContext) -> ChannelsOutput:
        image = as_rgb(load_input(context, "image", self.image)).convert("RGBA")
        names = [context.artifacts.save_image(channel, session_id=context.session_id, node_id=context.node_id)
                 for channel in image.split()]
        context.progress(1.0, preview=names[0])
        red, green, blue, alpha = (ImageField(image_name=n) for n in names)
        return ChannelsOutput(red=red, green=green, blue=blue, alpha=alpha)


@node("merge_channels", title="Merge Channels", category="image/compose", tags=("rgba", "channel", "combine"))
class MergeChannelsInvocation(BaseNode):
    """Builds an RGB image from three grey images, RGBA when an alpha image is linked."""

    red: ImageField = InputField(description="Red channel", input=InputKind.CONNECTION)
    green: ImageField = InputField(description="Green channel", input=InputKind.CONNECTION)
    blue: ImageField = InputField(description="Blue channel", input=InputKind.CONNECTION)
    alpha: ImageField | None = InputField(None, description="Alpha channel", input=InputKind.CONNECTION)

    def invoke(self, context: InvocationContext) -> ImageOutput:
        fields = {"red": self.red, "green": self.green, "blue": self.blue, "alpha": self.alpha}
        channels = {name: split_alpha(load_input(context, name, ref))[0].convert("L")
                    for name, ref in fields.items() if ref is not None}
        size = channels["red"].size
        for name, channel in channels.items():
            if channel.size != size:
                raise LocatedError(f"the {name} channel is {channel.width}x{channel.height} but red is "
                                   f"{size[0]}x{size[1]}; all channels must be the same size", field=name)
        mode = "RGBA" if "alpha" in channels else "RGB"
        return image_output(context, Image.merge(mode, list(channels.values())))


def _mask_output(context: InvocationContext, mask: Image.Image, invert: bool) -> ImageOutput:
    if invert:
        mask = mask.point(lambda v: 255 - v)
    return image_output(context, mask)


@node("mask_from_alpha", title="Mask from Alpha", category="image/mask", tags=("alpha", "transparency", "mask"))
class MaskFromAlphaInvocation(BaseNode):
    """A mask that is white where the image is opaque (all white for an image without alpha)."""

    image: ImageField = InputField(description="The image whose alpha becomes the mask",
                                   input=InputKind.CONNECTION)
    invert: bool = InputField(False, description="White where transparent instead")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        color, alpha = split_alpha(load_input(context, "image", self.image))
        mask = alpha if alpha is not None else Image.new("L", color.size, 255)
        return _mask_output(context, mask, self.invert)


@node("mask_from_color", title="Mask from Color", category="image/mask", tags=("chroma key", "select", "range", "mask"))
class MaskFromColorInvocation(BaseNode):
    """A mask that is white where every colour channel is within tolerance of the colour."""

    image: ImageField = InputField(description="The image to select from", input=InputKind.CONNECTION)
    color: ColorField = InputField(ColorField(g=255), description="The colour to select")
    tolerance: int = InputField(32, ge=0, le=255, description="Largest difference per channel")
    invert: bool = InputField(False, description="White where the colour does not match")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        color = split_alpha(as_rgb(load_input(context, "image", self.image)))[0]
        pixels = np.asarray(color, dtype=np.int16)
        target = np.array([self.color.r, self.color.g, self.color.b], dtype=np.int16)
        inside = np.all(np.abs(pixels - target) <= self.tolerance, axis=-1)
        return _mask_output(context, Image.fromarray(np.where(inside, 255, 0).astype(np.uint8)), self.invert)
