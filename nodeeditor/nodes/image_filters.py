"""Nodes that change pixel values in place: blur, sharpen, adjust colour, invert, convert, threshold.

Colour operations work on the colour channels and keep an image's alpha channel as it was.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.fields import ImageField
from nodeeditor.core.node import BaseNode, InputField, InputKind, node

from ._imaging import ImageOutput, image_output, load_input, normalize_mode, split_alpha, with_alpha

_IMAGE = dict(description="The image to filter", input=InputKind.CONNECTION)
STRIP_PIXELS = 4_000_000
"""Images above this size are blurred in horizontal strips, reporting progress between them."""


def blur(image: Image.Image, radius: float, kind: str, context: InvocationContext | None = None,
         strip_pixels: int = STRIP_PIXELS) -> Image.Image:
    """Gaussian or box blur; large images go in overlapping strips so progress and cancel work.

    Each strip is blurred with a margin wider than the filter's reach, so the result equals a
    blur of the whole image.
    """
    make = ImageFilter.GaussianBlur if kind == "gaussian" else ImageFilter.BoxBlur
    if radius <= 0:
        return image.copy()
    if image.width * image.height <= strip_pixels:
        return image.filter(make(radius))
    margin = math.ceil(3 * radius) + 4
    rows = max(1, strip_pixels // image.width)
    out = Image.new(image.mode, image.size)
    for top in range(0, image.height, rows):
        if context is not None:
            context.progress(top / image.height, "blurring")
        bottom = min(image.height, top + rows)
        low, high = max(0, top - margin), min(image.height, bottom + margin)
        band = image.crop((0, low, image.width, high)).filter(make(radius))
        out.paste(band.crop((0, top - low, image.width, bottom - low)), (0, top))
    return out


@node("blur_image", title="Blur Image", category="image/filter", tags=("gaussian", "box", "soften", "smooth"))
class BlurImageInvocation(BaseNode):
    """Blurs with a gaussian or a box filter of the given radius in pixels."""

    image: ImageField = InputField(**_IMAGE)
    radius: float = InputField(2.0, ge=0, le=500, description="Blur radius in pixels")
    kind: Literal["gaussian", "box"] = InputField("gaussian", description="Filter shape")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        image = normalize_mode(load_input(context, "image", self.image))
        return image_output(context, blur(image, self.radius, self.kind, context))


@node("sharpen_image", title="Sharpen Image", category="image/filter", tags=("sharpness", "detail"))
class SharpenImageInvocation(BaseNode):
    """Sharpens by a factor: 1 keeps the image, 2 sharpens, below 1 softens."""

    image: ImageField = InputField(**_IMAGE)
    amount: float = InputField(2.0, ge=0, le=10, description="Sharpness factor (1 = unchanged)")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        color, alpha = split_alpha(load_input(context, "image", self.image))
        return image_output(context, with_alpha(ImageEnhance.Sharpness(color).enhance(self.amount), alpha))


@node("unsharp_mask", title="Unsharp Mask", category="image/filter", tags=("sharpen", "detail", "usm"))
class UnsharpMaskInvocation(BaseNode):
    """Sharpens edges: adds back percent of the difference from a blur of the given radius."""

    image: ImageField = InputField(**_IMAGE)
    radius: float = InputField(2.0, ge=0, le=100, description="Radius of the blur compared against")
    percent: int = InputField(150, ge=0, le=1000, description="Strength in percent")
    threshold: int = InputField(3, ge=0, le=255, description="Minimum difference that is sharpened")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        color, alpha = split_alpha(load_input(context, "image", self.image))
        sharp = color.filter(ImageFilter.UnsharpMask(self.radius, self.percent, self.threshold))
        return image_output(context, with_alpha(sharp, alpha))


@node("invert_image", title="Invert Image", category="image/filter", tags=("negative", "invert"))
class InvertImageInvocation(BaseNode):
    """Inverts the colour channels (255 - value); alpha stays."""

    image: ImageField = InputField(**_IMAGE)

    def invoke(self, context: InvocationContext) -> ImageOutput:
        color, alpha = split_alpha(load_input(context, "image", self.image))
        return image_output(context, with_alpha(ImageOps.invert(color), alpha))


def shift_hue(image: Image.Image, degrees: float) -> Image.Image:
    hsv = np.array(image.convert("HSV"))
    hsv[..., 0] = (hsv[..., 0].astype(np.int32) + round(degrees * 256 / 360)) % 256
    return Image.fromarray(hsv, "HSV").convert("RGB")


def apply_gamma(image: Image.Image, gamma: float) -> Image.Image:
    """out = in ** (1 / gamma) on 0..1: gamma above 1 brightens mid-tones."""
    table = [round(255 * (i / 255) ** (1 / gamma)) for i in range(256)]
    return image.point(table * len(image.getbands()))


@node("adjust_image", title="Adjust Image", category="image/color",
      tags=("brightness", "contrast", "saturation", "hue", "gamma", "levels"))
class AdjustImageInvocation(BaseNode):
    """Adjusts brightness, contrast, saturation, hue and gamma; neutral values leave pixels as they are."""

    image: ImageField = InputField(**_IMAGE)
    brightness: float = InputField(1.0, ge=0, le=10, description="Factor; 1 = unchanged, 0 = black")
    contrast: float = InputField(1.0, ge=0, le=10, description="Factor; 1 = unchanged, 0 = flat grey")
    saturation: float = InputField(1.0, ge=0, le=10, description="Factor; 1 = unchanged, 0 = grey")
    hue_shift: float = InputField(0.0, ge=-180, le=180, description="Rotate hues by degrees")
    gamma: float = InputField(1.0, gt=0, le=10, description="Above 1 brightens mid-tones")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        color, alpha = split_alpha(load_input(context, "image", self.image))
        if self.brightness != 1.0:
            color = ImageEnhance.Brightness(color).enhance(self.brightness)
        if self.contrast != 1.0:
            color = ImageEnhance.Contrast(color).enhance(self.contrast)
        if color.mode == "RGB" and self.saturation != 1.0:
            color = ImageEnhance.Color(color).enhance(self.saturation)
        if color.mode == "RGB" and self.hue_shift % 360 != 0:
            color = shift_hue(color, self.hue_shift)
        if self.gamma != 1.0:
            color = apply_gamma(color, self.gamma)
        return image_output(context, with_alpha(color, alpha))


@node("grayscale_image", title="Grayscale Image", category="image/color", tags=("gray", "grey", "mono", "desaturate"))
class GrayscaleImageInvocation(BaseNode):
    """Converts to grey levels (ITU-R 601 luma), keeping alpha."""

    image: ImageField = InputField(**_IMAGE)

    def invoke(self, context: InvocationContext) -> ImageOutput:
        color, alpha = split_alpha(load_input(context, "image", self.image))
        return image_output(context, with_alpha(color.convert("L"), alpha))


@node("convert_image", title="Convert Image Mode", category="image/color", tags=("mode", "rgb", "rgba", "alpha"))
class ConvertImageInvocation(BaseNode):
    """Converts to RGB, RGBA, L (grey) or LA (grey with alpha)."""

    image: ImageField = InputField(**_IMAGE)
    mode: Literal["RGB", "RGBA", "L", "LA"] = InputField("RGB", description="Target mode")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        image = normalize_mode(load_input(context, "image", self.image))
        return image_output(context, image.convert(self.mode))


@node("threshold_image", title="Threshold Image", category="image/color", tags=("binary", "mask", "black and white"))
class ThresholdImageInvocation(BaseNode):
    """A black-and-white mask: grey level at or above the level becomes white, the rest black."""

    image: ImageField = InputField(**_IMAGE)
    level: int = InputField(128, ge=0, le=255, description="Grey level that becomes white")
    invert: bool = InputField(False, description="Swap black and white")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        grey = split_alpha(load_input(context, "image", self.image))[0].convert("L")
        high, low = (0, 255) if self.invert else (255, 0)
        return image_output(context, grey.point([high if i >= self.level else low for i in range(256)]))
