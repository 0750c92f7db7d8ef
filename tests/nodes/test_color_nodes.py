"""Colour nodes: from RGB(A), HSV and hex, mixing, back to hex and channels."""

import pytest
from pydantic import ValidationError

from nodeeditor.core.errors import LocatedError
from nodeeditor.core.fields import ColorField
from workflow_builder import invoke


def rgba(type_name, **inputs):
    return invoke(type_name, **inputs).color.tuple()


def test_color_from_rgb_is_opaque_unless_alpha_is_given():
    assert rgba("color_rgb", r=10, g=20, b=30) == (10, 20, 30, 255)
    assert rgba("color_rgb", r=10, g=20, b=30, a=0) == (10, 20, 30, 0)


def test_color_from_rgb_refuses_channels_outside_0_to_255():
    with pytest.raises(ValidationError, match="less than or equal to 255"):
        invoke("color_rgb", r=256)


@pytest.mark.parametrize("h, s, v, expected", [
    (0, 1, 1, (255, 0, 0, 255)), (120, 1, 1, (0, 255, 0, 255)), (240, 1, 1, (0, 0, 255, 255)),
    (480, 1, 1, (0, 255, 0, 255)), (0, 0, 0.5, (128, 128, 128, 255)), (60, 0.5, 1, (255, 255, 128, 255)),
])
def test_color_from_hsv(h, s, v, expected):
    assert rgba("color_hsv", h=h, s=s, v=v) == expected


@pytest.mark.parametrize("text, expected", [
    ("#ff8800", (255, 136, 0, 255)), ("FF8800", (255, 136, 0, 255)), ("#f80", (255, 136, 0, 255)),
    ("#f808", (255, 136, 0, 136)), ("#ff880080", (255, 136, 0, 128)), (" #000000 ", (0, 0, 0, 255)),
])
def test_color_from_hex(text, expected):
    assert rgba("color_hex", hex=text) == expected


@pytest.mark.parametrize("text", ["", "#", "#12", "#ff880", "#gg0000", "red", "#ff8800800"])
def test_bad_hex_is_refused_naming_the_field(text):
    with pytest.raises(LocatedError) as caught:
        invoke("color_hex", hex=text)
    assert caught.value.field == "hex"
    assert caught.value.message == f"{text!r} is not a hex colour (#rgb, #rgba, #rrggbb or #rrggbbaa)"


def test_color_to_hex_drops_alpha_only_when_opaque():
    assert invoke("color_to_hex", color=ColorField(r=255, g=136)).value == "#ff8800"
    assert invoke("color_to_hex", color=ColorField(r=255, g=136, a=128)).value == "#ff880080"


def test_hex_round_trips_through_a_color():
    for text in ("#12abef", "#12abef7f"):
        assert invoke("color_to_hex", color=invoke("color_hex", hex=text).color).value == text


@pytest.mark.parametrize("t, expected", [(0.0, (0, 0, 0, 255)), (1.0, (255, 100, 50, 55)),
                                         (0.5, (128, 50, 25, 155))])
def test_mix_moves_every_channel_from_first_to_second(t, expected):
    first, second = ColorField(), ColorField(r=255, g=100, b=50, a=55)
    assert rgba("mix_colors", first=first, second=second, t=t) == expected


def test_mix_refuses_t_outside_0_to_1():
    with pytest.raises(ValidationError, match="t"):
        invoke("mix_colors", t=1.5)


def test_color_channels_split_a_color():
    out = invoke("color_channels", color=ColorField(r=1, g=2, b=3, a=4))
    assert (out.r, out.g, out.b, out.a) == (1, 2, 3, 4)
