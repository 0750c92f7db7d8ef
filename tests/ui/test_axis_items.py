"""Items of batch axes: typed lines, ranges, seeds, folders; each checked by the field's own type."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nodeeditor.core.registry import default_registry
from nodeeditor.ui.panels import axis_items as ai


def field(node_type: str, name: str):
    return default_registry().get(node_type).inputs[name]


def test_integer_lines_are_numbers_and_a_bad_line_is_named():
    width = field("noise_image", "width")
    assert ai.parse_lines(width, "8\n 16 \n\n32").values == [8, 16, 32]
    bad = ai.parse_lines(width, "8\n0")
    assert bad.values == [8]
    assert bad.error.startswith("line 2: '0' is not valid")


def test_string_lines_are_taken_as_typed_unless_json_quoted():
    text = field("text_to_conditioning", "text")
    assert ai.parse_lines(text, 'a cat\n"two\\nlines"\n42').values == ["a cat", "two\nlines", "42"]


def test_colors_read_hex_and_images_read_names():
    color = field("blank_image", "color")
    assert ai.parse_lines(color, "#ff000080").values == [{"r": 255, "g": 0, "b": 0, "a": 128}]
    image = field("blur_image", "image")
    assert ai.parse_lines(image, "img_1.png").values == [{"image_name": "img_1.png"}]


@settings(deadline=None)  # the first example pays for building the registry; a busy machine takes > 200 ms
@given(st.lists(st.text(), max_size=5))
def test_formatted_strings_read_back_unchanged(values):
    text = field("text_to_conditioning", "text")
    lines = "\n".join(ai.format_item(text, v) for v in values)
    assert ai.parse_lines(text, lines).values == values


def test_colors_format_back_to_hex():
    color = field("blank_image", "color")
    assert ai.format_item(color, {"r": 1, "g": 2, "b": 3, "a": 255}) == "#010203ff"


@pytest.mark.parametrize(("start", "stop", "step", "expected"), [
    (0, 10, 3, [0, 3, 6, 9]),
    (10, 0, -4, [10, 6, 2]),
    (5, 6, 1, [5]),
])
def test_integer_ranges_stop_before_stop(start, stop, step, expected):
    assert ai.numeric_range(field("add", "a"), start, stop, step).values == expected


def test_float_ranges_do_not_drift():
    values = ai.numeric_range(field("float_math", "a"), 0.0, 1.0, 0.1).values
    assert values == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


def test_empty_and_endless_ranges_are_refused():
    assert "empty" in ai.numeric_range(field("add", "a"), 5, 0, 1).error
    assert "more than" in ai.numeric_range(field("add", "a"), 0, 10**9, 1).error


def test_a_range_outside_the_fields_bounds_names_the_item():
    result = ai.numeric_range(field("noise_image", "width"), -1, 3, 1)
    assert result.error.startswith("item 1 (-1) is not valid")


def test_seeds_respect_the_fields_bounds_and_repeat_with_the_base():
    seed = field("random_int", "seed")
    first = ai.seeds(seed, 50, base=7).values
    assert len(first) == 50 and all(0 <= s <= ai.SEED_HIGH for s in first)
    assert ai.seeds(seed, 50, base=7).values == first
    assert ai.seeds(seed, 0, base=7).error == "count must be at least 1"


def test_a_folder_without_images_says_so(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    assert "holds no" in ai.folder_images(None, str(tmp_path)).error
    assert "is not a folder" in ai.folder_images(None, str(tmp_path / "nope")).error


def test_subfolders_are_listed_only_when_asked(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "top.png").write_bytes(b"")
    (tmp_path / "sub" / "deep.png").write_bytes(b"")
    assert ai.folder_images(None, str(tmp_path)).values == [str(tmp_path / "top.png")]
    assert ai.folder_images(None, str(tmp_path), recursive=True).values == [
        str(tmp_path / "sub" / "deep.png"), str(tmp_path / "top.png")]


def test_each_field_kind_gets_its_own_editors():
    assert ai.editor_kinds(field("noise_image", "seed"))[0] == ai.SEEDS
    assert ai.editor_kinds(field("noise_image", "width"))[0] == ai.LIST
    assert ai.RANGE in ai.editor_kinds(field("blur_image", "radius"))
    assert ai.editor_kinds(field("load_image", "path"))[0] == ai.FOLDER_IMAGES
    assert ai.editor_kinds(field("blur_image", "kind"))[0] == ai.CHOICES
    assert ai.RANGE not in ai.editor_kinds(field("text_to_conditioning", "text"))
