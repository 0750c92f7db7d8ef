"""blur, sharpen, unsharp mask, invert, adjust, grayscale, convert and threshold."""

from __future__ import annotations

import numpy as np
import pytest
from image_harness import Harness, random_rgb, solid
from PIL import Image

from nodeeditor.nodes.image_filters import blur


@pytest.fixture
def h(tmp_path):
    return Harness(tmp_path)


def edge(size: int = 16) -> Image.Image:
    image = Image.new("L", (size, size), 0)
    image.paste(255, (size // 2, 0, size, size))
    return image


@pytest.mark.parametrize("kind", ["gaussian", "box"])
def test_blur_softens_an_edge_and_keeps_flat_areas(h, kind):
    out = h.run("blur_image", image=h.put(edge()), radius=2, kind=kind)
    row = h.pixels(out.image)[8].astype(int)
    assert row[0] == 0 and row[-1] == 255
    assert 0 < row[7] < 255 and 0 < row[8] < 255


def test_blur_with_radius_zero_is_identity(h):
    source = random_rgb()
    out = h.run("blur_image", image=h.put(source), radius=0)
    assert np.array_equal(h.pixels(out.image), np.asarray(source))


@pytest.mark.parametrize("kind", ["gaussian", "box"])
def test_blur_in_strips_equals_blur_of_the_whole(h, kind):
    source = random_rgb((40, 90), seed=4)
    whole = blur(source, 3.0, kind)
    striped = blur(source, 3.0, kind, h.context(), strip_pixels=40 * 10)
    assert np.array_equal(np.asarray(striped), np.asarray(whole))
    assert len([e for e in h.events if getattr(e, "message", None) == "blurring"]) >= 1


def test_blur_in_strips_honours_cancel(h):
    from nodeeditor.core.errors import Canceled

    h.cancel.set()
    with pytest.raises(Canceled):
        blur(random_rgb((40, 90)), 3.0, "gaussian", h.context(), strip_pixels=400)


def test_sharpen_increases_contrast_at_an_edge(h):
    soft = blur(edge(), 1.5, "gaussian")
    out = h.run("sharpen_image", image=h.put(soft), amount=3.0)
    before, after = np.asarray(soft).astype(int)[8], h.pixels(out.image).astype(int)[8]
    assert np.abs(np.diff(after)).max() > np.abs(np.diff(before)).max()


def test_sharpen_amount_one_is_identity(h):
    source = random_rgb()
    out = h.run("sharpen_image", image=h.put(source), amount=1.0)
    assert np.array_equal(h.pixels(out.image), np.asarray(source))


def test_unsharp_mask_overshoots_at_an_edge(h):
    source = Image.new("L", (16, 16), 60)
    source.paste(180, (8, 0, 16, 16))
    out = h.run("unsharp_mask", image=h.put(source), radius=2, percent=200, threshold=0)
    row = h.pixels(out.image).astype(int)[8]
    assert row[7] < 60 and row[8] > 180


def test_invert_twice_is_identity_and_once_is_255_minus(h):
    source = random_rgb()
    once = h.run("invert_image", image=h.put(source))
    assert np.array_equal(h.pixels(once.image), 255 - np.asarray(source))
    twice = h.run("invert_image", image=once.image)
    assert np.array_equal(h.pixels(twice.image), np.asarray(source))


def test_invert_keeps_alpha(h):
    out = h.run("invert_image", image=h.put(solid((10, 20, 30, 77))))
    assert h.image(out.image).getpixel((0, 0)) == (245, 235, 225, 77)


def test_adjust_with_neutral_values_is_identity(h):
    source = random_rgb()
    out = h.run("adjust_image", image=h.put(source))
    assert np.array_equal(h.pixels(out.image), np.asarray(source))


def test_adjust_brightness_zero_is_black_and_saturation_zero_is_grey(h):
    dark = h.run("adjust_image", image=h.put(random_rgb()), brightness=0)
    assert h.pixels(dark.image).max() == 0
    grey = h.pixels(h.run("adjust_image", image=h.put(random_rgb()), saturation=0).image).astype(int)
    assert np.abs(grey[..., 0] - grey[..., 1]).max() <= 1 and np.abs(grey[..., 1] - grey[..., 2]).max() <= 1


def test_adjust_hue_shift_turns_red_into_green(h):
    out = h.run("adjust_image", image=h.put(solid((255, 0, 0))), hue_shift=120)
    r, g, b = h.image(out.image).getpixel((0, 0))
    assert g > 240 and r < 15 and b < 15


def test_adjust_gamma_brightens_mid_tones(h):
    out = h.run("adjust_image", image=h.put(solid((64, 128, 0))), gamma=2.0)
    assert h.image(out.image).getpixel((0, 0)) == (round(255 * (64 / 255) ** 0.5), round(255 * (128 / 255) ** 0.5), 0)


def test_adjust_contrast_zero_is_flat(h):
    out = h.run("adjust_image", image=h.put(random_rgb()), contrast=0)
    assert h.pixels(out.image).std() < 1


def test_grayscale_uses_luma_and_keeps_alpha(h):
    out = h.run("grayscale_image", image=h.put(solid((255, 0, 0, 40))))
    image = h.image(out.image)
    assert image.mode == "LA" and image.getpixel((0, 0)) == (76, 40)


@pytest.mark.parametrize("mode,bands", [("RGB", 3), ("RGBA", 4), ("L", 1), ("LA", 2)])
def test_convert_changes_the_mode(h, mode, bands):
    out = h.run("convert_image", image=h.put(random_rgb()), mode=mode)
    assert h.image(out.image).mode == mode and len(h.image(out.image).getbands()) == bands


def test_threshold_splits_at_the_level(h):
    source = Image.fromarray(np.arange(256, dtype=np.uint8).reshape(16, 16))
    out = h.run("threshold_image", image=h.put(source), level=100)
    pixels = h.pixels(out.image).ravel()
    assert (pixels[:100] == 0).all() and (pixels[100:] == 255).all()
    inverted = h.pixels(h.run("threshold_image", image=h.put(source), level=100, invert=True).image).ravel()
    assert (inverted[:100] == 255).all() and (inverted[100:] == 0).all()
