"""Output models that many built-in nodes share: one value or one collection of a primitive kind."""

from __future__ import annotations

from typing import Any

from nodeeditor.core.fields import ColorField
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
