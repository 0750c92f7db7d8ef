"""Nodes that make images from parameters: solid colour, seeded noise, gradient, text overlay,
and a contact sheet of an image collection."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.fields import ColorField, ImageField
from nodeeditor.core.node import BaseNode, InputField, InputKind, Widget, node

from ._imaging import MAX_SIDE, RESAMPLE, ImageOutput, as_rgb, fill_mode, fill_value, image_output, load_input
from .image_geometry import fit_size

_WIDTH = dict(ge=1, le=MAX_SIDE, description="Width in pixels")
_HEIGHT = dict(ge=1, le=MAX_SIDE, description="Height in pixels")


@node("blank_image", title="Blank Image", category="image/generate", tags=("solid", "color", "fill", "new"))
class BlankImageInvocation(BaseNode):
    """An image filled with one colour (RGBA when the colour is translucent)."""

    width: int = InputField(512, **_WIDTH)
    height: int = InputField(512, **_HEIGHT)
    color: ColorField = InputField(ColorField(r=255, g=255, b=255), description="Fill colour")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        mode = "RGBA" if self.color.a < 255 else "RGB"
        image = Image.new(mode, (self.width, self.height), fill_value(mode, self.color))
        return image_output(context, image)


@node("noise_image", title="Noise Image", category="image/generate", tags=("random", "seed", "static"))
class NoiseImageInvocation(BaseNode):
    """Uniform random pixels from a seed: the same seed always gives the same image."""

    width: int = InputField(512, **_WIDTH)
    height: int = InputField(512, **_HEIGHT)
    seed: int = InputField(0, ge=0, le=2**63 - 1, description="Random seed")
    grayscale: bool = InputField(False, description="One grey channel instead of RGB")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        rng = np.random.default_rng(self.seed)
        shape = (self.height, self.width) if self.grayscale else (self.height, self.width, 3)
        return image_output(context, Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8)))


def gradient_weights(width: int, height: int, direction: str) -> np.ndarray:
    """Per-pixel position 0..1 along the gradient, shape (H, W, 1)."""
    xs = np.linspace(0.0, 1.0, width, dtype=np.float32) if width > 1 else np.zeros(1, np.float32)
    ys = np.linspace(0.0, 1.0, height, dtype=np.float32) if height > 1 else np.zeros(1, np.float32)
    gx, gy = np.meshgrid(xs, ys)
    if direction == "horizontal":
        t = gx
    elif direction == "vertical":
        t = gy
    elif direction == "diagonal":
        t = (gx + gy) / 2
    else:
        t = np.minimum(np.hypot(gx - 0.5, gy - 0.5) / math.hypot(0.5, 0.5), 1.0)
    return t[..., None]


@node("gradient_image", title="Gradient Image", category="image/generate", tags=("ramp", "fade", "linear", "radial"))
class GradientImageInvocation(BaseNode):
    """A linear or radial gradient from a start colour to an end colour."""

    width: int = InputField(512, **_WIDTH)
    height: int = InputField(512, **_HEIGHT)
    start: ColorField = InputField(ColorField(), description="Colour at the start (left, top, or centre)")
    end: ColorField = InputField(ColorField(r=255, g=255, b=255), description="Colour at the end")
    direction: Literal["horizontal", "vertical", "diagonal", "radial"] = InputField(
        "horizontal", description="Which way the colour runs")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        t = gradient_weights(self.width, self.height, self.direction)
        start = np.array(self.start.tuple(), np.float32)
        end = np.array(self.end.tuple(), np.float32)
        pixels = np.rint(start + (end - start) * t).astype(np.uint8)
        if self.start.a == 255 and self.end.a == 255:
            pixels = pixels[..., :3]
        return image_output(context, Image.fromarray(np.ascontiguousarray(pixels)))


@node("text_overlay", title="Text Overlay", category="image/generate", tags=("caption", "label", "draw", "font"))
class TextOverlayInvocation(BaseNode):
    """Draws text onto an image with Pillow's built-in font at a position, size and colour."""

    image: ImageField = InputField(description="The image to draw on", input=InputKind.CONNECTION)
    text: str = InputField("", description="The text; new lines start new lines", widget=Widget.MULTILINE)
    x: int = InputField(8, ge=-MAX_SIDE, le=MAX_SIDE, description="Left edge of the text")
    y: int = InputField(8, ge=-MAX_SIDE, le=MAX_SIDE, description="Top edge of the text")
    size: int = InputField(24, ge=4, le=1024, description="Font size in pixels")
    color: ColorField = InputField(ColorField(r=255, g=255, b=255), description="Text colour; alpha fades it")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        base = as_rgb(load_input(context, "image", self.image))
        layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
        ImageDraw.Draw(layer).text((self.x, self.y), self.text, fill=self.color.tuple(),
                                   font=ImageFont.load_default(size=self.size))
        result = Image.alpha_composite(base.convert("RGBA"), layer)
        return image_output(context, result if base.mode == "RGBA" else result.convert("RGB"))


@node("contact_sheet", title="Contact Sheet", category="image/generate", tags=("grid", "tile", "montage", "collage"))
class ContactSheetInvocation(BaseNode):
    """Tiles a collection of images into a grid, each fitted into a cell keeping its proportions."""

    images: list[ImageField] = InputField(description="The images, in reading order",
                                          input=InputKind.CONNECTION, min_length=1)
    columns: int = InputField(0, ge=0, le=256, description="Images per row; 0 picks a near-square grid")
    cell_width: int = InputField(256, ge=1, le=4096, description="Width of a cell")
    cell_height: int = InputField(256, ge=1, le=4096, description="Height of a cell")
    padding: int = InputField(4, ge=0, le=512, description="Gap around and between cells")
    background: ColorField = InputField(ColorField(r=32, g=32, b=32), description="Colour behind the cells")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        count = len(self.images)
        columns = self.columns or math.ceil(math.sqrt(count))
        columns = min(columns, count)
        rows = math.ceil(count / columns)
        size = (columns * self.cell_width + (columns + 1) * self.padding,
                rows * self.cell_height + (rows + 1) * self.padding)
        if max(size) > MAX_SIDE:
            raise LocatedError(f"the sheet would be {size[0]}x{size[1]}, above {MAX_SIDE} pixels a side; "
                               "use smaller cells or fewer columns", field="columns")
        mode = fill_mode("RGB", self.background)
        sheet = Image.new(mode, size, fill_value(mode, self.background))
        for index, ref in enumerate(self.images):
            context.progress(index / count, f"image {index + 1} of {count}")
            tile = as_rgb(load_input(context, f"images[{index}]", ref))
            tile = tile.resize(fit_size(tile.width, tile.height, self.cell_width, self.cell_height),
                               RESAMPLE["lanczos"])
            row, column = divmod(index, columns)
            left = self.padding + column * (self.cell_width + self.padding) + (self.cell_width - tile.width) // 2
            top = self.padding + row * (self.cell_height + self.padding) + (self.cell_height - tile.height) // 2
            sheet.paste(tile.convert(mode), (left, top), tile.getchannel("A") if tile.mode == "RGBA" else None)
        return image_output(context, sheet)
