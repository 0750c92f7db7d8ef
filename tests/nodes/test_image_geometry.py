"""resize, scale, crop, pad, paste, rotate and flip on small generated images."""

from __future__ import annotations

import numpy as np
import pytest
from image_harness import Harness, random_rgb, solid
from PIL import Image

from nodeeditor.core.errors import LocatedError
from nodeeditor.core.fields import ColorField


@pytest.fixture
def h(tmp_path):
    return Harness(tmp_path)


@pytest.mark.parametrize("resample", ["nearest", "bilinear", "bicubic", "lanczos"])
def test_resize_gives_the_requested_size(h, resample):
    out = h.run("resize_image", image=h.put(random_rgb((24, 16))), width=37, height=9, resample=resample)
    assert (out.width, out.height) == (37, 9)
    assert h.image(out.image).size == (37, 9)


def test_resize_of_a_solid_image_keeps_its_colour(h):
    out = h.run("resize_image", image=h.put(solid((10, 20, 30))), width=40, height=40)
    assert (h.pixels(out.image) == [10, 20, 30]).all()


def test_resize_keep_aspect_fits_inside_the_box(h):
    out = h.run("resize_image", image=h.put(random_rgb((40, 20))), width=30, height=30, keep_aspect=True)
    assert (out.width, out.height) == (30, 15)


def test_scale_multiplies_both_sides(h):
    out = h.run("scale_image", image=h.put(random_rgb((10, 6))), factor=2.5, resample="nearest")
    assert (out.width, out.height) == (25, 15)
    half = h.run("scale_image", image=h.put(random_rgb((10, 6))), factor=0.5)
    assert (half.width, half.height) == (5, 3)


def test_crop_keeps_the_rectangle(h):
    source = random_rgb((20, 10))
    out = h.run("crop_image", image=h.put(source), x=3, y=2, width=5, height=4)
    assert np.array_equal(h.pixels(out.image), np.asarray(source)[2:6, 3:8])


def test_crop_past_the_edge_is_clipped(h):
    out = h.run("crop_image", image=h.put(random_rgb((20, 10))), x=15, y=5, width=100, height=100)
    assert (out.width, out.height) == (5, 5)


def test_crop_starting_outside_fails_naming_the_field(h):
    with pytest.raises(LocatedError, match="field 'x'.*outside"):
        h.run("crop_image", image=h.put(random_rgb((20, 10))), x=25, y=0)


def test_pad_adds_coloured_margins(h):
    source = solid((100, 100, 100), (4, 3))
    out = h.run("pad_image", image=h.put(source), left=2, top=1, right=3, bottom=4,
                color=ColorField(r=255, g=0, b=0))
    pixels = h.pixels(out.image)
    assert pixels.shape == (3 + 5, 4 + 5, 3)
    assert (pixels[0, 0] == [255, 0, 0]).all() and (pixels[1, 2] == [100, 100, 100]).all()
    assert (pixels[3, 5] == [100, 100, 100]).all() and (pixels[4, 6] == [255, 0, 0]).all()


def test_pad_with_transparent_colour_adds_alpha(h):
    out = h.run("pad_image", image=h.put(solid((9, 9, 9))), left=1)
    image = h.image(out.image)
    assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0 and image.getpixel((1, 0)) == (9, 9, 9, 255)


def test_paste_places_the_image_at_its_offset(h):
    out = h.run("paste_image", base=h.put(solid((0, 0, 0), (10, 10))), image=h.put(solid((255, 255, 255), (3, 2))),
                x=4, y=5)
    pixels = h.pixels(out.image)[..., 0]
    assert pixels[5:7, 4:7].min() == 255 and pixels.sum() == 255 * 6


def test_paste_through_a_mask_only_where_white(h):
    mask = Image.new("L", (4, 4), 0)
    mask.paste(255, (0, 0, 2, 4))
    out = h.run("paste_image", base=h.put(solid((0, 0, 0), (4, 4))), image=h.put(solid((200, 100, 50), (4, 4))),
                mask=h.put(mask))
    pixels = h.pixels(out.image)
    assert (pixels[:, :2] == [200, 100, 50]).all() and (pixels[:, 2:] == 0).all()


def test_paste_uses_the_pasted_image_alpha(h):
    layer = Image.new("RGBA", (2, 1), (255, 0, 0, 255))
    layer.putpixel((1, 0), (255, 0, 0, 0))
    out = h.run("paste_image", base=h.put(solid((0, 0, 255), (2, 1))), image=h.put(layer))
    assert h.image(out.image).getpixel((0, 0)) == (255, 0, 0) and h.image(out.image).getpixel((1, 0)) == (0, 0, 255)


def test_paste_with_a_mask_of_another_size_fails(h):
    with pytest.raises(LocatedError, match="field 'mask'"):
        h.run("paste_image", base=h.put(solid((0, 0, 0))), image=h.put(solid((1, 1, 1), (4, 4))),
              mask=h.put(solid((255,), (3, 3))))


def test_rotate_by_90_moves_pixels_counter_clockwise(h):
    source = random_rgb((6, 4))
    out = h.run("rotate_image", image=h.put(source), angle=90)
    assert (out.width, out.height) == (4, 6)
    assert np.array_equal(h.pixels(out.image), np.rot90(np.asarray(source)))


def test_rotate_by_45_fills_corners_with_the_fill_colour(h):
    out = h.run("rotate_image", image=h.put(solid((50, 50, 50), (10, 10))), angle=45,
                fill=ColorField(r=255, g=0, b=0))
    image = h.image(out.image)
    assert image.width > 10 and image.getpixel((0, 0)) == (255, 0, 0)
    assert image.getpixel((image.width // 2, image.height // 2)) == (50, 50, 50)


@pytest.mark.parametrize("direction,expected", [
    ("horizontal", lambda a: a[:, ::-1]), ("vertical", lambda a: a[::-1]), ("both", lambda a: a[::-1, ::-1])])
def test_flip_mirrors(h, direction, expected):
    source = random_rgb((5, 3))
    out = h.run("flip_image", image=h.put(source), direction=direction)
    assert np.array_equal(h.pixels(out.image), expected(np.asarray(source)))
