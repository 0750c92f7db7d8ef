"""Nodes that change an image's size, placement or orientation: resize, scale, crop, pad,
paste, rotate, flip."""

from __future__ import annotations

from typing import Literal

from PIL import Image

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.fields import ColorField, ImageField
from nodeeditor.core.node import BaseNode, InputField, InputKind, node

from ._imaging import (MAX_SIDE, RESAMPLE, ImageOutput, Resample, as_mask, fill_mode, fill_value,
                       image_output, load_input, normalize_mode)

_IMAGE = dict(description="The image to transform", input=InputKind.CONNECTION)


def fit_size(width: int, height: int, box_width: int, box_height: int) -> tuple[int, int]:
    """Largest size with the aspect of width x height that fits inside the box."""
    scale = min(box_width / width, box_height / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


@node("resize_image", title="Resize Image", category="image/transform", tags=("scale", "size", "fit"))
class ResizeImageInvocation(BaseNode):
    """Resizes to width x height; with keep_aspect the image fits inside that box instead."""

    image: ImageField = InputField(**_IMAGE)
    width: int = InputField(512, ge=1, le=MAX_SIDE, description="Target width in pixels")
    height: int = InputField(512, ge=1, le=MAX_SIDE, description="Target height in pixels")
    resample: Resample = InputField("bicubic", description="Resampling filter")
    keep_aspect: bool = InputField(False, description="Fit inside width x height, keeping proportions")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        image = load_input(context, "image", self.image)
        size = (self.width, self.height)
        if self.keep_aspect:
            size = fit_size(image.width, image.height, self.width, self.height)
        return image_output(context, image.resize(size, RESAMPLE[self.resample]))


@node("scale_image", title="Scale Image", category="image/transform", tags=("resize", "zoom", "factor"))
class ScaleImageInvocation(BaseNode):
    """Scales both sides by a factor (0.5 halves, 2 doubles)."""

    image: ImageField = InputField(**_IMAGE)
    factor: float = InputField(2.0, gt=0, le=16, description="Scale factor")
    resample: Resample = InputField("bicubic", description="Resampling filter")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        image = load_input(context, "image", self.image)
        size = (min(MAX_SIDE, max(1, round(image.width * self.factor))),
                min(MAX_SIDE, max(1, round(image.height * self.factor))))
        return image_output(context, image.resize(size, RESAMPLE[self.resample]))


@node("crop_image", title="Crop Image", category="image/transform", tags=("cut", "region", "trim"))
class CropImageInvocation(BaseNode):
    """Keeps the rectangle at (x, y) of width x height; parts outside the image are dropped."""

    image: ImageField = InputField(**_IMAGE)
    x: int = InputField(0, ge=0, description="Left edge")
    y: int = InputField(0, ge=0, description="Top edge")
    width: int = InputField(256, ge=1, le=MAX_SIDE, description="Width of the kept rectangle")
    height: int = InputField(256, ge=1, le=MAX_SIDE, description="Height of the kept rectangle")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        image = load_input(context, "image", self.image)
        right = min(image.width, self.x + self.width)
        bottom = min(image.height, self.y + self.height)
        if self.x >= image.width or self.y >= image.height:
            raise LocatedError(f"the crop starts at ({self.x}, {self.y}), outside the "
                               f"{image.width}x{image.height} image", field="x")
        return image_output(context, image.crop((self.x, self.y, right, bottom)))


@node("pad_image", title="Pad Image", category="image/transform", tags=("expand", "canvas", "border"))
class PadImageInvocation(BaseNode):
    """Grows the canvas by the given margins, filled with a colour."""

    image: ImageField = InputField(**_IMAGE)
    left: int = InputField(0, ge=0, le=MAX_SIDE, description="Pixels added on the left")
    top: int = InputField(0, ge=0, le=MAX_SIDE, description="Pixels added on top")
    right: int = InputField(0, ge=0, le=MAX_SIDE, description="Pixels added on the right")
    bottom: int = InputField(0, ge=0, le=MAX_SIDE, description="Pixels added at the bottom")
    color: ColorField = InputField(ColorField(a=0), description="Fill colour of the new border")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        image = normalize_mode(load_input(context, "image", self.image))
        mode = fill_mode(image.mode, self.color)
        size = (image.width + self.left + self.right, image.height + self.top + self.bottom)
        if max(size) > MAX_SIDE:
            raise LocatedError(f"the padded image would be {size[0]}x{size[1]}, above {MAX_SIDE} "
                               "pixels a side", field="right")
        canvas = Image.new(mode, size, fill_value(mode, self.color))
        canvas.paste(image.convert(mode), (self.left, self.top))
        return image_output(context, canvas)


@node("paste_image", title="Paste Image", category="image/transform", tags=("composite", "overlay", "place"))
class PasteImageInvocation(BaseNode):
    """Pastes an image onto a base at an offset, through an optional mask (else its own alpha)."""

    base: ImageField = InputField(description="The image pasted onto", input=InputKind.CONNECTION)
    image: ImageField = InputField(description="The image to paste", input=InputKind.CONNECTION)
    x: int = InputField(0, ge=-MAX_SIDE, le=MAX_SIDE, description="Left edge of the pasted image")
    y: int = InputField(0, ge=-MAX_SIDE, le=MAX_SIDE, description="Top edge of the pasted image")
    mask: ImageField | None = InputField(None, input=InputKind.CONNECTION,
                                         description="Where to paste (white) and where not (black)")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        base = normalize_mode(load_input(context, "base", self.base))
        image = normalize_mode(load_input(context, "image", self.image))
        if self.mask is not None:
            mask = as_mask(load_input(context, "mask", self.mask))
            if mask.size != image.size:
                raise LocatedError(f"the mask is {mask.width}x{mask.height} but the pasted image is "
                                   f"{image.width}x{image.height}", field="mask")
        else:
            mask = image.getchannel("A") if image.mode in ("RGBA", "LA") else None
        mode = base.mode if base.mode.startswith("RGB") or image.mode.startswith("L") else "RGB" + base.mode[1:]
        result = base.convert(mode)
        result.paste(image.convert(mode), (self.x, self.y), mask)
        return image_output(context, result)


@node("rotate_image", title="Rotate Image", category="image/transform", tags=("turn", "angle", "orientation"))
class RotateImageInvocation(BaseNode):
    """Rotates counter-clockwise by an angle in degrees; expand grows the canvas to fit."""

    image: ImageField = InputField(**_IMAGE)
    angle: float = InputField(90.0, ge=-360, le=360, description="Degrees, counter-clockwise")
    expand: bool = InputField(True, description="Grow the canvas so no corner is cut off")
    resample: Literal["nearest", "bilinear", "bicubic"] = InputField("bicubic", description="Resampling filter")
    fill: ColorField = InputField(ColorField(a=0), description="Colour of the uncovered corners")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        image = normalize_mode(load_input(context, "image", self.image))
        covered = self.angle % 180 == 0 or (self.angle % 90 == 0 and (self.expand or image.width == image.height))
        mode = image.mode if covered else fill_mode(image.mode, self.fill)
        rotated = image.convert(mode).rotate(self.angle, RESAMPLE[self.resample], expand=self.expand,
                                             fillcolor=fill_value(mode, self.fill))
        return image_output(context, rotated)


_FLIPS = {
    "horizontal": (Image.Transpose.FLIP_LEFT_RIGHT,),
    "vertical": (Image.Transpose.FLIP_TOP_BOTTOM,),
    "both": (Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.FLIP_TOP_BOTTOM),
}


@node("flip_image", title="Flip Image", category="image/transform", tags=("mirror", "transpose"))
class FlipImageInvocation(BaseNode):
    """Mirrors the image left-right, top-bottom, or both."""

    image: ImageField = InputField(**_IMAGE)
    direction: Literal["horizontal", "vertical", "both"] = InputField("horizontal",
                                                                      description="Which way to mirror")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        image = load_input(context, "image", self.image)
        for step in _FLIPS[self.direction]:
            image = image.transpose(step)
        return image_output(context, image)
