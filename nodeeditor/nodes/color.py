"""Colours: from RGB(A), HSV or hex text, mixed, and back to hex or channels.

A colour is a ColorField (r, g, b, a in 0..255). Hex text reads #rgb, #rgba, #rrggbb or #rrggbbaa
(the # is optional, case does not matter); to-hex writes #rrggbb, or #rrggbbaa when not opaque.
"""

from __future__ import annotations

import colorsys
import re

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.fields import ColorField
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, OutputField, node

from ._outputs import ColorOutput, StringOutput

HEX = re.compile(r"#?([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


def _channel(description: str, default: int = 0) -> int:
    return InputField(default, ge=0, le=255, description=description)


@node("color_rgb", title="Color from RGB", category="color", tags=("rgba", "red", "green", "blue", "alpha"))
class ColorRgbInvocation(BaseNode):
    """A colour from its red, green, blue and alpha channels (0..255)."""

    r: int = _channel("Red, 0..255")
    g: int = _channel("Green, 0..255")
    b: int = _channel("Blue, 0..255")
    a: int = _channel("Alpha (opacity), 0..255", 255)

    def invoke(self, context: InvocationContext) -> ColorOutput:
        return ColorOutput(color=ColorField(r=self.r, g=self.g, b=self.b, a=self.a))


@node("color_hsv", title="Color from HSV", category="color", tags=("hue", "saturation", "value", "brightness"))
class ColorHsvInvocation(BaseNode):
    """A colour from hue (degrees, wraps around), saturation and value (0..1) and alpha (0..255)."""

    h: float = InputField(0.0, description="Hue in degrees: 0 red, 120 green, 240 blue")
    s: float = InputField(1.0, ge=0.0, le=1.0, description="Saturation, 0 (grey) to 1 (full colour)")
    v: float = InputField(1.0, ge=0.0, le=1.0, description="Value, 0 (black) to 1 (brightest)")
    a: int = _channel("Alpha (opacity), 0..255", 255)

    def invoke(self, context: InvocationContext) -> ColorOutput:
        r, g, b = colorsys.hsv_to_rgb((self.h % 360.0) / 360.0, self.s, self.v)
        return ColorOutput(color=ColorField(r=round(r * 255), g=round(g * 255), b=round(b * 255), a=self.a))


def parse_hex(text: str, field: str = "hex") -> ColorField:
    """#rgb, #rgba, #rrggbb or #rrggbbaa (the # optional) to a colour; else a LocatedError on `field`."""
    match = HEX.fullmatch(text.strip())
    if match is None:
        raise LocatedError(f"{text!r} is not a hex colour (#rgb, #rgba, #rrggbb or #rrggbbaa)", field=field)
    digits = match.group(1)
    if len(digits) <= 4:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i:i + 2], 16) for i in range(0, len(digits), 2)]
    return ColorField(**dict(zip("rgba", channels)))


@node("color_hex", title="Color from Hex", category="color", tags=("html", "css", "#", "parse"))
class ColorHexInvocation(BaseNode):
    """A colour from hex text such as #ff8800 or #f80 (alpha optional: #ff880080)."""

    hex: str = InputField("#000000", description="#rgb, #rgba, #rrggbb or #rrggbbaa")

    def invoke(self, context: InvocationContext) -> ColorOutput:
        return ColorOutput(color=parse_hex(self.hex))


def to_hex(color: ColorField) -> str:
    """#rrggbb for opaque colours, #rrggbbaa otherwise."""
    return color.hex() if color.a != 255 else color.hex()[:7]


@node("color_to_hex", title="Color to Hex", category="color", tags=("html", "css", "#", "format"))
class ColorToHexInvocation(BaseNode):
    """The colour as hex text: #rrggbb, or #rrggbbaa when it is not opaque."""

    color: ColorField = InputField(default_factory=ColorField, description="The colour")

    def invoke(self, context: InvocationContext) -> StringOutput:
        return StringOutput(value=to_hex(self.color))


def mix(first: ColorField, second: ColorField, t: float) -> ColorField:
    """Each channel (alpha too) moved from `first` towards `second` by t in 0..1, rounded."""
    return ColorField(**{c: round(getattr(first, c) + (getattr(second, c) - getattr(first, c)) * t)
                         for c in "rgba"})


@node("mix_colors", title="Mix Colors", category="color", tags=("blend", "lerp", "interpolate", "gradient"))
class MixColorsInvocation(BaseNode):
    """A colour between `first` (t = 0) and `second` (t = 1), channel by channel."""

    first: ColorField = InputField(default_factory=ColorField, description="The colour at t = 0")
    second: ColorField = InputField(default_factory=lambda: ColorField(r=255, g=255, b=255),
                                    description="The colour at t = 1")
    t: float = InputField(0.5, ge=0.0, le=1.0, description="How far from first towards second, 0..1")

    def invoke(self, context: InvocationContext) -> ColorOutput:
        return ColorOutput(color=mix(self.first, self.second, self.t))


class ChannelsOutput(BaseOutput):
    r: int = OutputField(description="red, 0..255")
    g: int = OutputField(description="green, 0..255")
    b: int = OutputField(description="blue, 0..255")
    a: int = OutputField(description="alpha, 0..255")


@node("color_channels", title="Color Channels", category="color", tags=("split", "rgba", "components"))
class ColorChannelsInvocation(BaseNode):
    """The red, green, blue and alpha channels of a colour."""

    color: ColorField = InputField(default_factory=ColorField, description="The colour")

    def invoke(self, context: InvocationContext) -> ChannelsOutput:
        return ChannelsOutput(**dict(zip("rgba", self.color.tuple())))
