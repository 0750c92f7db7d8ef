"""Field types of the primitives that are not Python values, and how annotations become sockets."""

import pytest
from pydantic import BaseModel, ValidationError

from nodeeditor.core.fields import (ClipField, ColorField, ConditioningField, ImageField, LatentsField, UNetField,
                                    VAEField)
from nodeeditor.core.node import socket_type_of
from nodeeditor.core.types import Cardinality, Kind, SocketType


class MaskField(BaseModel):
    mask_name: str


def test_color_defaults_to_opaque_black():
    assert ColorField().tuple() == (0, 0, 0, 255)


@pytest.mark.parametrize("channel", ["r", "g", "b", "a"])
@pytest.mark.parametrize("value", [-1, 256])
def test_color_channels_stay_in_0_to_255(channel, value):
    with pytest.raises(ValidationError, match=channel):
        ColorField(**{channel: value})


def test_color_hex_has_all_four_channels():
    assert ColorField(r=255, g=128, b=0, a=16).hex() == "#ff800010"


@pytest.mark.parametrize("cls, field", [(ImageField, "image_name"), (LatentsField, "latents_name"),
                                        (ConditioningField, "conditioning_name")])
def test_references_need_a_name(cls, field):
    assert getattr(cls(**{field: "x.png"}), field) == "x.png"
    with pytest.raises(ValidationError):
        cls(**{field: ""})


def test_latents_may_carry_their_seed():
    assert LatentsField(latents_name="l", seed=7).seed == 7
    assert LatentsField(latents_name="l").seed is None


def test_references_refuse_unknown_keys():
    with pytest.raises(ValidationError):
        ImageField(image_name="a", path="/etc/passwd")


@pytest.mark.parametrize("annotation, expected", [
    (int, SocketType(Kind.INTEGER)),
    (float, SocketType(Kind.FLOAT)),
    (str, SocketType(Kind.STRING)),
    (bool, SocketType(Kind.BOOLEAN)),
    (ImageField, SocketType(Kind.IMAGE)),
    (LatentsField, SocketType(Kind.LATENTS)),
    (ConditioningField, SocketType(Kind.CONDITIONING)),
    (ColorField, SocketType(Kind.COLOR)),
    (list[ImageField], SocketType(Kind.IMAGE, Cardinality.COLLECTION)),
    (str | list[str], SocketType(Kind.STRING, Cardinality.POLYMORPHIC)),
    (int | None, SocketType(Kind.INTEGER)),
    (list[int] | None, SocketType(Kind.INTEGER, Cardinality.COLLECTION)),
    # a plug-in's own field type: its kind is a name made from the class, each time anew
    (MaskField, SocketType("mask")),
    (MaskField | list[MaskField], SocketType("mask", Cardinality.POLYMORPHIC)),
    (list[MaskField], SocketType("mask", Cardinality.COLLECTION)),
])
def test_annotations_give_kind_and_cardinality(annotation, expected):
    assert socket_type_of(annotation) == expected


@pytest.mark.parametrize("cls", [UNetField, ClipField, VAEField])
def test_a_model_part_takes_any_non_empty_path(cls):
    assert cls(path="m", size=0, mtime_ns=0).path == "m"
    with pytest.raises(ValidationError, match="path"):
        cls(path="", size=0, mtime_ns=0)


def test_references_are_frozen_values_usable_as_keys():
    image = ImageField(image_name="a.png")
    with pytest.raises(ValidationError, match="frozen"):
        image.image_name = "b.png"
    assert {image: 1}[ImageField(image_name="a.png")] == 1
