"""blend modes with opacity and mask, channel split/merge, and masks from alpha or colour."""

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


@pytest.mark.parametrize("mode", ["normal", "multiply", "screen", "overlay", "add", "difference"])
def test_blend_at_opacity_zero_returns_the_base(h, mode):
    base = random_rgb(seed=1)
    out = h.run("blend_images", base=h.put(base), layer=h.put(random_rgb(seed=2)), mode=mode, opacity=0.0)
    assert np.array_equal(h.pixels(out.image), np.asarray(base))


@pytest.mark.parametrize("mode,expected", [
    ("normal", (200, 100, 0)),
    ("multiply", (round(200 * 100 / 255), round(100 * 100 / 255), 0)),
    ("screen", (round(255 - (55 * 155) / 255), round(255 - (155 * 155) / 255), 100)),
    ("add", (255, 200, 100)),
    ("difference", (100, 0, 100)),
    ("overlay", (round(2 * 100 * 200 / 255), round(2 * 100 * 100 / 255), 0)),
])
def test_blend_modes_at_full_opacity(h, mode, expected):
    out = h.run("blend_images", base=h.put(solid((100, 100, 100))), layer=h.put(solid((200, 100, 0))), mode=mode)
    assert np.abs(np.array(h.image(out.image).getpixel((0, 0))) - expected).max() <= 1


def test_blend_at_half_opacity_is_the_midpoint(h):
    out = h.run("blend_images", base=h.put(solid((0, 0, 0))), layer=h.put(solid((200, 100, 50))), opacity=0.5)
    assert h.image(out.image).getpixel((0, 0)) == (100, 50, 25)


def test_blend_follows_the_mask_and_resizes_the_layer(h):
    mask = Image.new("L", (16, 12), 0)
    mask.paste(255, (0, 0, 8, 12))
    out = h.run("blend_images", base=h.put(solid((0, 0, 0))), layer=h.put(solid((255, 255, 255), (4, 4))),
                mask=h.put(mask))
    pixels = h.pixels(out.image)
    assert pixels.shape == (12, 16, 3)
    assert (pixels[:, :7] == 255).all() and (pixels[:, 9:] == 0).all()


def test_blend_keeps_the_base_alpha(h):
    out = h.run("blend_images", base=h.put(solid((0, 0, 0, 50))), layer=h.put(solid((255, 255, 255))))
    assert h.image(out.image).getpixel((0, 0)) == (255, 255, 255, 50)


def test_split_then_merge_is_identity(h):
    source = Image.fromarray(np.random.default_rng(3).integers(0, 256, (6, 5, 4), dtype=np.uint8))
    parts = h.run("split_channels", image=h.put(source))
    assert np.array_equal(h.pixels(parts.green), np.asarray(source)[..., 1])
    merged = h.run("merge_channels", red=parts.red, green=parts.green, blue=parts.blue, alpha=parts.alpha)
    assert np.array_equal(h.pixels(merged.image), np.asarray(source))


def test_split_of_an_opaque_image_gives_a_white_alpha(h):
    parts = h.run("split_channels", image=h.put(random_rgb()))
    assert h.pixels(parts.alpha).min() == 255


def test_merge_without_alpha_is_rgb_and_may_swap_channels(h):
    source = random_rgb()
    parts = h.run("split_channels", image=h.put(source))
    merged = h.run("merge_channels", red=parts.blue, green=parts.green, blue=parts.red)
    assert h.image(merged.image).mode == "RGB"
    assert np.array_equal(h.pixels(merged.image), np.asarray(source)[..., ::-1])


def test_merge_of_channels_of_different_sizes_fails_naming_the_field(h):
    with pytest.raises(LocatedError, match="field 'blue'"):
        h.run("merge_channels", red=h.put(solid((1,), (4, 4))), green=h.put(solid((1,), (4, 4))),
              blue=h.put(solid((1,), (5, 4))))


def test_mask_from_alpha(h):
    source = Image.new("RGBA", (2, 1), (9, 9, 9, 255))
    source.putpixel((1, 0), (9, 9, 9, 30))
    out = h.run("mask_from_alpha", image=h.put(source))
    assert list(h.pixels(out.image)[0]) == [255, 30]
    inverted = h.run("mask_from_alpha", image=h.put(source), invert=True)
    assert list(h.pixels(inverted.image)[0]) == [0, 225]
    opaque = h.run("mask_from_alpha", image=h.put(random_rgb()))
    assert h.pixels(opaque.image).min() == 255


def test_mask_from_color_selects_within_tolerance(h):
    source = Image.new("RGB", (3, 1))
    source.putdata([(0, 250, 0), (40, 255, 0), (255, 0, 0)])
    out = h.run("mask_from_color", image=h.put(source), color=ColorField(g=255), tolerance=10)
    assert list(h.pixels(out.image)[0]) == [255, 0, 0]
    wide = h.run("mask_from_color", image=h.put(source), color=ColorField(g=255), tolerance=40, invert=True)
    assert list(h.pixels(wide.image)[0]) == [0, 0, 255]


def test_overlay_screens_over_a_light_base(h):
    out = h.run("blend_images", base=h.put(solid((200, 200, 200))), layer=h.put(solid((100, 100, 100))),
                mode="overlay")
    assert h.image(out.image).getpixel((0, 0)) == (round(255 - 2 * 55 * 155 / 255),) * 3
