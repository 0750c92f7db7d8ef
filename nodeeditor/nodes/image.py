"""Images in and out of the graph: load a user's file, save into the gallery, report size and mode.

load_image and save_image are not cacheable: the file behind a path may change between runs,
and saving is a side effect that must happen every time.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

from PIL import Image, ImageOps, UnidentifiedImageError

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.files import atomic_write_bytes
from nodeeditor.core.fields import ImageField
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, InputKind, OutputField, Widget, node

from ._imaging import ImageOutput, image_output, load_input, normalize_mode, save_preview
from .image_metadata import workflow_chunks

READABLE_FORMATS = ("PNG", "JPEG", "WEBP", "TIFF")
DEFAULT_MAX_MEGAPIXELS = 100.0


class ImageFileError(LocatedError):
    """An image file cannot be used: missing, not an image, corrupt, or too large."""


def open_image_file(path: Path, max_pixels: int, field: str = "path") -> Image.Image:
    """Decode a PNG/JPEG/WebP/TIFF file upright (EXIF orientation applied), refusing huge ones."""
    where = {"file": str(path), "field": field}
    if not path.is_file():
        raise ImageFileError("no such image file", **where)
    try:
        with Image.open(path, formats=READABLE_FORMATS) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise ImageFileError(
                    f"image is {width}x{height} ({width * height / 1e6:.1f} MP), above the limit of "
                    f"{max_pixels / 1e6:.1f} MP (a decompression bomb guard); raise max_megapixels "
                    "if the file is trusted", **where)
            image.load()
            upright = ImageOps.exif_transpose(image)
    except Image.DecompressionBombError as exc:
        raise ImageFileError(f"refused as a decompression bomb: {exc}", **where) from None
    except UnidentifiedImageError:
        raise ImageFileError("not a readable PNG, JPEG, WebP or TIFF image (corrupt, or another format)",
                             **where) from None
    except OSError as exc:
        raise ImageFileError(f"cannot be read, the image data is corrupt or cut short: {exc}", **where) from None
    return normalize_mode(upright)


@node("load_image", title="Load Image", category="image", tags=("open", "file", "read"),
      cacheable=False)
class LoadImageInvocation(BaseNode):
    """Loads a PNG, JPEG, WebP or TIFF file, upright according to its EXIF orientation."""

    path: str = InputField(description="Image file to load",
                           widget=Widget.FILE, file_filter="Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff)",
                           min_length=1)
    max_megapixels: float = InputField(DEFAULT_MAX_MEGAPIXELS, gt=0, le=2000, input=InputKind.DIRECT,
                                       description="Refuse larger images (decompression bomb guard)")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        path = Path(self.path).expanduser()
        image = open_image_file(path, int(self.max_megapixels * 1_000_000))
        return image_output(context, image)


class SaveImageOutput(BaseOutput):
    image: ImageField = OutputField(description="the saved gallery image")
    path: str = OutputField(description="the file written (the PNG, or the JPEG/WebP copy)")


@node("save_image", title="Save Image", category="image", tags=("write", "gallery", "output", "export"),
      cacheable=False)
class SaveImageInvocation(BaseNode):
    """Saves the image into the gallery as a PNG carrying the workflow and the field values.

    With format JPEG or WebP a copy in that format is written beside the gallery PNG.
    """

    image: ImageField = InputField(description="The image to save", input=InputKind.CONNECTION)
    format: Literal["png", "jpeg", "webp"] = InputField("png", description="Also write this format")
    quality: int = InputField(90, ge=1, le=100, description="JPEG/WebP quality")

    def invoke(self, context: InvocationContext) -> SaveImageOutput:
        image = load_input(context, "image", self.image)
        chunks = workflow_chunks(context.workflow, context.field_values, context.node_id)
        name = save_preview(context, image, gallery=True, metadata=chunks)
        written = context.artifacts.path_of(name)
        if self.format != "png":
            written = written.with_suffix(".jpg" if self.format == "jpeg" else ".webp")
            _write_copy(image, written, self.format, self.quality)
        return SaveImageOutput(image=ImageField(image_name=name), path=str(written))


def _write_copy(image: Image.Image, path: Path, fmt: str, quality: int) -> None:
    """Write atomically (temporary file, then rename); JPEG has no alpha, so it is flattened."""
    if fmt == "jpeg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt.upper(), quality=quality)
    atomic_write_bytes(path, buffer.getvalue(), durable=False)


class ImageInfoOutput(BaseOutput):
    width: int = OutputField(description="width in pixels")
    height: int = OutputField(description="height in pixels")
    mode: str = OutputField(description="Pillow mode: RGB, RGBA, L or LA")
    channels: int = OutputField(description="number of channels")


@node("image_info", title="Image Info", category="image", tags=("size", "dimensions", "mode"))
class ImageInfoInvocation(BaseNode):
    """Reports an image's width, height, mode and channel count."""

    image: ImageField = InputField(description="The image to inspect", input=InputKind.CONNECTION)

    def invoke(self, context: InvocationContext) -> ImageInfoOutput:
        image = load_input(context, "image", self.image)
        return ImageInfoOutput(width=image.width, height=image.height, mode=image.mode,
                               channels=len(image.getbands()))
