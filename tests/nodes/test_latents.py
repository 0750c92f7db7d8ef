"""Latents: seeded noise, the RGB projection both ways, interpolation, arithmetic, blend, info."""

from __future__ import annotations

import numpy as np
import pytest
from image_harness import Harness, graph, solid

from nodeeditor.core.errors import LocatedError
from nodeeditor.nodes.latents import LATENT_RGB, RGB_LATENT, latents_to_rgb, rgb_to_latents, slerp


@pytest.fixture
def h(tmp_path):
    return Harness(tmp_path)


def test_noise_latents_shape_dtype_and_seed(h):
    out = h.run("noise_latents", width=64, height=32, seed=7)
    array = h.latents(out.latents)
    assert array.shape == (4, 4, 8) and array.dtype == np.float32
    assert out.latents.seed == 7 and (out.width, out.height) == (64, 32)


def test_noise_latents_same_seed_same_values_different_seed_different(h):
    first = h.latents(h.run("noise_latents", width=32, height=32, seed=1).latents)
    again = h.latents(h.run("noise_latents", width=32, height=32, seed=1).latents)
    other = h.latents(h.run("noise_latents", width=32, height=32, seed=2).latents)
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_noise_latents_are_standard_normal(h):
    array = h.latents(h.run("noise_latents", width=256, height=256, seed=0).latents)
    assert abs(array.mean()) < 0.05 and abs(array.std() - 1) < 0.05


def test_noise_latents_refuse_sizes_that_are_not_multiples_of_8(h):
    with pytest.raises(Exception, match="multiple of 8"):
        h.run("noise_latents", width=30, height=32)


def test_latent_nodes_report_a_projection_preview(h):
    out = h.run("noise_latents", width=32, height=16, seed=0)
    previews = h.previews()
    assert len(previews) == 1
    preview = h.artifacts.load_image(previews[0])
    assert preview.size == (4, 2)
    expected = np.rint(latents_to_rgb(h.latents(out.latents)) * 255)
    assert np.array_equal(np.asarray(preview), expected.astype(np.uint8))


def test_projection_pseudo_inverse_undoes_the_matrix():
    assert np.allclose(RGB_LATENT @ LATENT_RGB, np.eye(3), atol=1e-5)


def test_rgb_to_latents_to_rgb_round_trips_in_gamut_colours():
    rgb = np.random.default_rng(0).random((5, 6, 3), dtype=np.float32)
    assert np.allclose(latents_to_rgb(rgb_to_latents(rgb)), rgb, atol=1e-5)


def test_image_to_latents_to_image_keeps_a_solid_colour(h):
    latents = h.run("image_to_latents", image=h.put(solid((200, 60, 90), (32, 24))))
    assert h.latents(latents.latents).shape == (4, 3, 4)
    image = h.run("latents_to_image", latents=latents.latents)
    pixels = h.pixels(image.image).astype(int)
    assert pixels.shape == (24, 32, 3)
    assert np.abs(pixels - [200, 60, 90]).max() <= 1


def test_image_to_latents_area_averages_8x8_blocks(h):
    from PIL import Image

    image = Image.new("RGB", (16, 8), (0, 0, 0))
    image.paste((255, 255, 255), (8, 0, 16, 8))
    array = h.latents(h.run("image_to_latents", image=h.put(image)).latents)
    assert np.allclose(array[:, 0, 0], rgb_to_latents(np.zeros((1, 1, 3)))[:, 0, 0], atol=1e-5)
    assert np.allclose(array[:, 0, 1], rgb_to_latents(np.ones((1, 1, 3)))[:, 0, 0], atol=1e-5)


def test_image_to_latents_needs_8_pixels(h):
    with pytest.raises(LocatedError, match="field 'image'"):
        h.run("image_to_latents", image=h.put(solid((1, 1, 1), (4, 16))))


def test_latents_to_image_refuses_other_channel_counts(h):
    with pytest.raises(LocatedError, match="4 channels"):
        h.run("latents_to_image", latents=h.put_latents(np.zeros((3, 2, 2))))


def test_lerp_mixes_linearly(h):
    a, b = h.put_latents(np.zeros((4, 2, 2))), h.put_latents(np.full((4, 2, 2), 2.0))
    out = h.run("lerp_latents", a=a, b=b, t=0.25)
    assert np.allclose(h.latents(out.latents), 0.5)


def test_slerp_at_0_and_1_returns_the_ends_exactly(h):
    rng = np.random.default_rng(0)
    a_arr, b_arr = rng.standard_normal((4, 3, 3), np.float32), rng.standard_normal((4, 3, 3), np.float32)
    a, b = h.put_latents(a_arr), h.put_latents(b_arr)
    assert np.array_equal(h.latents(h.run("slerp_latents", a=a, b=b, t=0.0).latents), a_arr)
    assert np.array_equal(h.latents(h.run("slerp_latents", a=a, b=b, t=1.0).latents), b_arr)


def test_slerp_midpoint_of_orthogonal_unit_vectors_stays_on_the_sphere():
    a = np.zeros((4, 1, 1), np.float32)
    b = np.zeros((4, 1, 1), np.float32)
    a[0], b[1] = 1, 1
    mid = slerp(a, b, 0.5)
    assert np.allclose(mid.ravel(), [np.sqrt(0.5), np.sqrt(0.5), 0, 0], atol=1e-6)


def test_slerp_of_parallel_latents_falls_back_to_lerp():
    a = np.ones((4, 2, 2), np.float32)
    assert np.allclose(slerp(a, 3 * a, 0.5), 2 * a)


def test_add_and_multiply(h):
    a, b = h.put_latents(np.full((4, 2, 2), 1.0)), h.put_latents(np.full((4, 2, 2), 3.0))
    assert np.allclose(h.latents(h.run("add_latents", a=a, b=b, weight=0.5).latents), 2.5)
    assert np.allclose(h.latents(h.run("multiply_latents", latents=b, factor=-2).latents), -6.0)


def test_combining_latents_of_different_shapes_fails_naming_the_field(h):
    with pytest.raises(LocatedError, match="field 'b'.*scale one"):
        h.run("add_latents", a=h.put_latents(np.zeros((4, 2, 2))), b=h.put_latents(np.zeros((4, 4, 4))))


def test_scale_latents_resizes_and_keeps_a_constant_field(h):
    out = h.run("scale_latents", latents=h.put_latents(np.full((4, 3, 5), 0.7)), factor=2)
    array = h.latents(out.latents)
    assert array.shape == (4, 6, 10) and np.allclose(array, 0.7)
    assert (out.width, out.height) == (80, 48)


def test_scale_latents_nearest_repeats_cells(h):
    source = np.arange(16, dtype=np.float32).reshape(4, 2, 2)
    out = h.run("scale_latents", latents=h.put_latents(source), factor=2, resample="nearest")
    assert np.array_equal(h.latents(out.latents), source.repeat(2, axis=1).repeat(2, axis=2))


def test_blend_latents_with_weights(h):
    items = [h.put_latents(np.full((4, 2, 2), v)) for v in (1.0, 2.0, 4.0)]
    normalized = h.run("blend_latents", latents=items, weights=[1, 1, 2])
    assert np.allclose(h.latents(normalized.latents), (1 + 2 + 8) / 4)
    raw = h.run("blend_latents", latents=items, weights=[1, 1, 2], normalize=False)
    assert np.allclose(h.latents(raw.latents), 11.0)
    equal = h.run("blend_latents", latents=items)
    assert np.allclose(h.latents(equal.latents), 7 / 3)


def test_blend_latents_refuses_a_wrong_number_of_weights(h):
    with pytest.raises(LocatedError, match="field 'weights'"):
        h.run("blend_latents", latents=[h.put_latents(np.zeros((4, 1, 1)))], weights=[1, 2])


def test_latents_info(h):
    array = np.zeros((4, 2, 3), np.float32)
    array[0] = 2.0
    out = h.run("latents_info", latents=h.put_latents(array))
    assert (out.shape, out.channels, out.height, out.width) == ("(4, 2, 3)", 4, 2, 3)
    assert out.mean == pytest.approx(0.5) and out.std == pytest.approx(np.std(array))


def test_noise_to_image_graph_runs_through_the_runner(h):
    workflow = graph({
        "noise": ("noise_latents", {"width": 16, "height": 16, "seed": 3}),
        "decode": ("latents_to_image", {"resample": "nearest"}),
    }, [("noise", "latents", "decode", "latents")])
    result = h.run_graph(workflow)
    assert result.status == "completed", result.error
    out = result.outputs["decode"][()]
    assert (out["width"], out["height"]) == (16, 16)
    cells = latents_to_rgb(h.latents(result.outputs["noise"][()]["latents"]))
    assert np.array_equal(h.pixels(out["image"])[::8, ::8], np.rint(cells * 255).astype(np.uint8))


def test_latents_of_other_channel_counts_are_stored_without_a_preview(h):
    out = h.run("multiply_latents", latents=h.put_latents(np.ones((3, 2, 2))), factor=2)
    assert np.allclose(h.latents(out.latents), 2.0) and h.previews() == []
