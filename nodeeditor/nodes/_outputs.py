"""Output models that many nodes share (built-in and plug-in, through nodeeditor.api): one value,
one collection, or one artifact reference with its size."""

from __future__ import annotations

from typing import Any

from nodeeditor.core.fields import ColorField, ConditioningField, ImageField, LatentsField
from nodeeditor.core.node import BaseOutput, OutputField


class IntegerOutput(BaseOutput):
    value: int = OutputField(description="the integer")


class FloatOutput(BaseOutput):
    value: float = OutputField(description="the float")


class StringOutput(BaseOutput):
    value: str = OutputField(description="the text")


class ColorOutput(BaseOutput):
    color: ColorField = OutputField(description="the colour")


class IntegerCollectionOutput(BaseOutput):
    collection: list[int] = OutputField(description="the integers, in order")


class StringCollectionOutput(BaseOutput):
    collection: list[str] = OutputField(description="the strings, in order")


class CollectionOutput(BaseOutput):
    collection: list[Any] = OutputField(description="the items, in order")


class ImageOutput(BaseOutput):
    image: ImageField = OutputField(description="the resulting image")
    width: int = OutputField(description="width in pixels")
    height: int = OutputField(description="height in pixels")


class LatentsOutput(BaseOutput):
    latents: LatentsField = OutputField(description="the resulting latents")
    width: int = OutputField(description="width of the matching image in pixels (8 per latent cell)")
    height: int = OutputField(description="height of the matching image in pixels (8 per latent cell)")


class ConditioningOutput(BaseOutput):
    conditioning: ConditioningField = OutputField(description="the resulting conditioning")
    rows: int = OutputField(description="number of token rows (77 per text)")
