"""load_image, save_image (PNG metadata, format copies), image_info, and artifact-name safety."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from image_harness import Harness, graph, random_rgb, solid
from PIL import Image

from nodeeditor.core.errors import LocatedError
from nodeeditor.core.fields import ImageField
from nodeeditor.core.workflow import parse_workflow
from nodeeditor.nodes.image import ImageFileError
from nodeeditor.nodes.image_metadata import read_png_workflow


@pytest.fixture
def h(tmp_path):
    return Harness(tmp_path)


@pytest.mark.parametrize("fmt,suffix", [("PNG", ".png"), ("TIFF", ".tif"), ("WEBP", ".webp")])
def test_load_image_reads_lossless_formats_exactly(h, tmp_path, fmt, suffix):
    source = random_rgb((20, 10))
    path = tmp_path / f"in{suffix}"
    source.save(path, format=fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    out = h.run("load_image", path=str(path))
    assert (out.width, out.height) == (20, 10)
    assert np.array_equal(h.pixels(out.image), np.asarray(source))


def test_load_image_reads_jpeg(h, tmp_path):
    path = tmp_path / "in.jpg"
    solid((200, 30, 40), (32, 16)).save(path, quality=95)
    out = h.run("load_image", path=str(path))
    assert (out.width, out.height) == (32, 16)
    assert np.abs(h.pixels(out.image)[8, 16].astype(int) - [200, 30, 40]).max() <= 4


def test_load_image_applies_exif_orientation(h, tmp_path):
    image = Image.new("RGB", (20, 10), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: display rotated 90 degrees clockwise
    path = tmp_path / "turned.jpg"
    image.save(path, quality=95, exif=exif.tobytes())
    out = h.run("load_image", path=str(path))
    assert (out.width, out.height) == (10, 20)
    pixels = h.pixels(out.image).astype(int)
    assert pixels[3, 5, 0] > 200 and pixels[3, 5, 2] < 60  # the red left half is now on top
    assert pixels[16, 5, 2] > 200 and pixels[16, 5, 0] < 60


def test_load_image_reports_a_preview(h, tmp_path):
    path = tmp_path / "in.png"
    solid((1, 2, 3)).save(path)
    out = h.run("load_image", path=str(path))
    assert h.previews() == [out.image.image_name]


def test_corrupt_image_file_error_names_the_file(h, tmp_path):
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    with pytest.raises(ImageFileError) as info:
        h.run("load_image", path=str(path))
    assert str(path) in str(info.value) and "field 'path'" in str(info.value)


def test_truncated_image_file_error_names_the_file(h, tmp_path):
    buffer = io.BytesIO()
    random_rgb((64, 64)).save(buffer, format="PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buffer.getvalue()[:-200])
    with pytest.raises(ImageFileError, match="cut.png.*corrupt"):
        h.run("load_image", path=str(path))


def test_missing_image_file_error_names_the_file(h, tmp_path):
    with pytest.raises(ImageFileError, match="nothere.png.*no such image file"):
        h.run("load_image", path=str(tmp_path / "nothere.png"))


def test_load_image_refuses_images_above_the_pixel_limit(h, tmp_path):
    path = tmp_path / "big.png"
    solid((0, 0, 0), (2000, 1000)).save(path)
    with pytest.raises(ImageFileError, match=r"2000x1000 .*above the limit of 1\.0 MP"):
        h.run("load_image", path=str(path), max_megapixels=1.0)


def test_load_image_is_not_cacheable(h):
    assert h.registry.get("load_image").cacheable is False
    assert h.registry.get("save_image").cacheable is False


def test_saved_png_restores_the_exact_workflow_and_values(h):
    workflow = graph({
        "noise": ("noise_image", {"width": 8, "height": 8, "seed": 3}),
        "save": ("save_image", {}),
    }, [("noise", "image", "save", "image")])
    values = {"noise.seed": 3}
    result = h.run_graph(workflow, field_values=values, session_id="s9")
    assert result.status == "completed", result.error
    saved = result.outputs["save"][()]["image"]
    restored, restored_values = read_png_workflow(h.artifacts.path_of(saved.image_name))
    assert restored == workflow.model_dump(mode="json")
    assert parse_workflow(restored) == workflow
    assert restored_values == values
    assert h.artifacts.png_metadata(saved.image_name)["nodeeditor_node"] == "save"


def test_saved_png_stores_reference_values_as_json(h):
    ref = h.put(solid((1, 1, 1)))
    context = h.context(node_id="save", field_values={"img.value": ref, "seed.value": 4})
    node = h.registry.get("save_image").cls(image=ref)
    out = node.invoke(context)
    _, values = read_png_workflow(h.artifacts.path_of(out.image.image_name))
    assert values == {"img.value": {"image_name": ref.image_name}, "seed.value": 4}


def test_saved_png_keeps_the_pixels(h):
    source = random_rgb((9, 7))
    out = h.run("save_image", image=h.put(source))
    assert np.array_equal(h.pixels(out.image), np.asarray(source))
    assert out.path == str(h.artifacts.path_of(out.image.image_name))


@pytest.mark.parametrize("fmt,suffix,pil_format", [("jpeg", ".jpg", "JPEG"), ("webp", ".webp", "WEBP")])
def test_save_image_writes_a_copy_in_the_chosen_format(h, fmt, suffix, pil_format):
    out = h.run("save_image", image=h.put(solid((10, 200, 30, 255), (16, 16))), format=fmt, quality=80)
    assert out.path.endswith(suffix)
    with Image.open(out.path) as copy:
        assert copy.format == pil_format and copy.size == (16, 16)
        assert np.abs(np.asarray(copy.convert("RGB"))[8, 8].astype(int) - [10, 200, 30]).max() <= 6
    assert "nodeeditor_workflow" in h.artifacts.png_metadata(out.image.image_name)


def test_read_png_workflow_of_a_plain_file_is_empty(tmp_path):
    plain = tmp_path / "plain.png"
    solid((0, 0, 0)).save(plain)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert read_png_workflow(plain) == (None, {})
    assert read_png_workflow(text) == (None, {})


def test_read_png_workflow_ignores_damaged_json(tmp_path):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("nodeeditor_workflow", "{not json")
    info.add_itxt("nodeeditor_values", json.dumps({"a.b": 1}))
    path = tmp_path / "damaged.png"
    solid((0, 0, 0)).save(path, pnginfo=info)
    assert read_png_workflow(path) == (None, {"a.b": 1})


def test_image_info_reports_size_mode_and_channels(h):
    out = h.run("image_info", image=h.put(solid((1, 2, 3, 4), (5, 3))))
    assert (out.width, out.height, out.mode, out.channels) == (5, 3, "RGBA", 4)


@pytest.mark.parametrize("name", ["../x.png", "../../etc/passwd.png", "/tmp/x.png", "sub/x.png"])
def test_image_names_outside_the_artifact_folder_are_refused(h, name):
    with pytest.raises(LocatedError, match="field 'image'"):
        h.run("invert_image", image=ImageField(image_name=name))


def test_graph_with_an_outside_image_name_fails_naming_node_and_field(h):
    workflow = graph({"inv": ("invert_image", {"image": {"image_name": "../x.png"}})})
    result = h.run_graph(workflow)
    assert result.status == "failed"
    assert result.error.node_id == "inv"
    assert "field 'image'" in result.error.message and "../x.png" in result.error.message


def test_load_image_brings_other_modes_to_rgb_or_grey(h, tmp_path):
    grey16 = Image.fromarray(np.full((4, 4), 65535, dtype=np.uint16))
    grey16.save(tmp_path / "deep.png")
    palette = Image.new("P", (4, 4), 1)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    palette.save(tmp_path / "palette.png", transparency=0)
    Image.new("CMYK", (4, 4), (0, 255, 255, 0)).save(tmp_path / "print.jpg", quality=95)
    Image.new("1", (4, 4), 1).save(tmp_path / "bits.tif")
    loaded = {name: h.image(h.run("load_image", path=str(tmp_path / name)).image)
              for name in ("deep.png", "palette.png", "print.jpg", "bits.tif")}
    assert loaded["deep.png"].mode == "L" and loaded["deep.png"].getpixel((0, 0)) == 255
    assert loaded["palette.png"].mode == "RGBA" and loaded["palette.png"].getpixel((0, 0)) == (255, 0, 0, 255)
    assert loaded["print.jpg"].mode == "RGB" and loaded["print.jpg"].getpixel((0, 0))[0] > 240
    assert loaded["bits.tif"].mode == "L" and loaded["bits.tif"].getpixel((0, 0)) == 255
