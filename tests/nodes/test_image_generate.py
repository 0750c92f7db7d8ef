"""blank, noise, gradient, text overlay and contact sheet."""

from __future__ import annotations

import numpy as np
import pytest
from image_harness import Harness, graph, solid

from nodeeditor.core.errors import Canceled, LocatedError
from nodeeditor.core.fields import ColorField
from nodeeditor.engine.events import NodeProgress


@pytest.fixture
def h(tmp_path):
    return Harness(tmp_path)


def test_blank_image_is_filled_with_the_colour(h):
    out = h.run("blank_image", width=7, height=5, color=ColorField(r=1, g=2, b=3))
    pixels = h.pixels(out.image)
    assert pixels.shape == (5, 7, 3) and (pixels == [1, 2, 3]).all()


def test_blank_image_with_a_translucent_colour_is_rgba(h):
    out = h.run("blank_image", width=2, height=2, color=ColorField(r=9, a=100))
    assert h.image(out.image).getpixel((1, 1)) == (9, 0, 0, 100)


def test_blank_image_reports_its_preview(h):
    out = h.run("blank_image", width=2, height=2)
    assert h.previews() == [out.image.image_name]


def test_noise_image_same_seed_same_pixels_different_seed_different(h):
    first = h.pixels(h.run("noise_image", width=16, height=8, seed=5).image)
    again = h.pixels(h.run("noise_image", width=16, height=8, seed=5).image)
    other = h.pixels(h.run("noise_image", width=16, height=8, seed=6).image)
    assert first.shape == (8, 16, 3)
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert 100 < first.mean() < 155


def test_noise_image_grayscale_has_one_channel(h):
    out = h.run("noise_image", width=4, height=4, seed=1, grayscale=True)
    assert h.image(out.image).mode == "L"


def test_horizontal_gradient_runs_from_start_to_end(h):
    out = h.run("gradient_image", width=11, height=3, start=ColorField(), end=ColorField(r=200, g=100, b=0))
    row = h.pixels(out.image)[1]
    assert tuple(row[0]) == (0, 0, 0) and tuple(row[-1]) == (200, 100, 0) and tuple(row[5]) == (100, 50, 0)


def test_vertical_and_radial_gradients(h):
    vertical = h.pixels(h.run("gradient_image", width=3, height=5, direction="vertical").image)
    assert list(vertical[:, 1, 0]) == [0, 64, 128, 191, 255]
    radial = h.pixels(h.run("gradient_image", width=9, height=9, direction="radial").image)[..., 0]
    assert radial[4, 4] == 0 and radial[0, 0] == 255 and radial[4, 0] < radial[0, 0]


def test_gradient_with_alpha_is_rgba(h):
    out = h.run("gradient_image", width=3, height=1, start=ColorField(a=0), end=ColorField(a=255))
    assert list(h.pixels(out.image)[0, :, 3]) == [0, 128, 255]


def test_text_overlay_draws_in_its_colour_near_its_position(h):
    out = h.run("text_overlay", image=h.put(solid((0, 0, 0), (80, 40))), text="Hi", x=10, y=10, size=16,
                color=ColorField(r=255))
    pixels = h.pixels(out.image).astype(int)
    drawn = np.argwhere(pixels[..., 0] > 128)
    assert len(drawn) > 10
    assert drawn[:, 0].min() >= 10 and drawn[:, 1].min() >= 10 and drawn[:, 1].max() < 50
    assert pixels[..., 1].max() == 0 and pixels[..., 2].max() == 0


def test_text_overlay_with_empty_text_leaves_the_image(h):
    source = solid((5, 6, 7, 255), (10, 10))
    out = h.run("text_overlay", image=h.put(source), text="")
    assert np.array_equal(h.pixels(out.image), np.asarray(source))


def test_contact_sheet_tiles_images_in_reading_order(h):
    colors = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    images = [h.put(solid(c, (8, 8))) for c in colors]
    out = h.run("contact_sheet", images=images, columns=2, cell_width=8, cell_height=8, padding=2,
                background=ColorField(r=9, g=9, b=9))
    sheet = h.image(out.image)
    assert sheet.size == (2 * 8 + 3 * 2, 2 * 8 + 3 * 2)
    assert sheet.getpixel((5, 5)) == colors[0] and sheet.getpixel((15, 5)) == colors[1]
    assert sheet.getpixel((5, 15)) == colors[2] and sheet.getpixel((15, 15)) == (9, 9, 9)
    assert sheet.getpixel((0, 0)) == (9, 9, 9)


def test_contact_sheet_fits_each_image_keeping_its_aspect(h):
    out = h.run("contact_sheet", images=[h.put(solid((255, 255, 255), (20, 10)))], cell_width=10, cell_height=10,
                padding=0, background=ColorField())
    column = h.pixels(out.image)[:, 5, 0]
    assert list(column) == [0, 0, 0] + [255] * 5 + [0, 0] or list(column) == [0, 0] + [255] * 5 + [0, 0, 0]


def test_contact_sheet_honours_cancel(h):
    images = [h.put(solid((i, i, i), (4, 4))) for i in range(3)]
    h.cancel.set()
    with pytest.raises(Canceled):
        h.run("contact_sheet", images=images, cell_width=4, cell_height=4)


def test_contact_sheet_too_large_fails_naming_a_field(h):
    with pytest.raises(LocatedError, match="field 'columns'"):
        h.run("contact_sheet", images=[h.put(solid((1, 1, 1)))] * 5, columns=5, cell_width=4096, cell_height=8)


def test_contact_sheet_of_a_collected_graph(h):
    workflow = graph({
        "a": ("blank_image", {"width": 4, "height": 4, "color": {"r": 255}}),
        "b": ("noise_image", {"width": 4, "height": 4, "seed": 1}),
        "c": ("collect", {}),
        "sheet": ("contact_sheet", {"cell_width": 4, "cell_height": 4, "padding": 0}),
    }, [("a", "image", "c", "item"), ("b", "image", "c", "item"), ("c", "collection", "sheet", "images")])
    result = h.run_graph(workflow)
    assert result.status == "completed", result.error
    out = result.outputs["sheet"][()]
    assert (out["width"], out["height"]) == (8, 4)
    assert h.image(out["image"]).getpixel((1, 1)) == (255, 0, 0)
    assert any(isinstance(e, NodeProgress) and e.node_id == "sheet" and e.preview for e in h.events)
