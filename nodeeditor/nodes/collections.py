"""Collections: Iterate fans a collection out, Collect gathers it back; length, index, slice, shuffle."""

from __future__ import annotations

import random
from typing import Any

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, InputKind, OutputField, node

from ._outputs import CollectionOutput, IntegerOutput


class IterateOutput(BaseOutput):
    item: Any = OutputField(description="the current item")
    index: int = OutputField(description="position of the item, from 0")
    total: int = OutputField(description="number of items")


@node("iterate", title="Iterate", category="collections", tags=("loop", "for each", "fan out"))
class IterateInvocation(BaseNode):
    """Runs everything downstream once per item of the collection (none for an empty one)."""

    collection: list[Any] = InputField(default_factory=list, description="The items to iterate over")

    def invoke(self, context: InvocationContext) -> IterateOutput:
        raise RuntimeError("iterate is expanded by the execution plan, never invoked")


class CollectOutput(BaseOutput):
    collection: list[Any] = OutputField(description="the gathered items, in iteration order")


@node("collect", title="Collect", category="collections", tags=("gather", "join", "fan in", "per item"),
      version="1.1.0")
class CollectInvocation(BaseNode):
    """Gathers the item of every iteration (and of every link) into one collection; inside nested
    Iterates, `per_outer_item` gathers one collection per item of the outer ones instead."""

    item: Any = InputField(None, input=InputKind.CONNECTION, multi=True,
                           description="Items to gather; link as many as needed")
    per_outer_item: bool = InputField(False, input=InputKind.DIRECT, title="Per outer item",
                                      description="Close only the innermost Iterate: one collection per "
                                                  "item of the Iterates around it")

    def invoke(self, context: InvocationContext) -> CollectOutput:
        raise RuntimeError("collect is computed by the execution plan, never invoked")


@node("length", title="Length", category="collections", tags=("count", "size", "len"))
class LengthInvocation(BaseNode):
    """How many items the collection holds."""

    collection: list[Any] = InputField(default_factory=list, description="The items to count")

    def invoke(self, context: InvocationContext) -> IntegerOutput:
        return IntegerOutput(value=len(self.collection))


class ItemOutput(BaseOutput):
    item: Any = OutputField(description="the item at the index")


@node("index", title="Item at Index", category="collections", tags=("get", "pick", "element", "[]"))
class IndexInvocation(BaseNode):
    """The item at `index`, from 0; a negative index counts from the end (-1 is the last)."""

    collection: list[Any] = InputField(default_factory=list, description="The items")
    index: int = InputField(0, description="Position, from 0; negative counts from the end")

    def invoke(self, context: InvocationContext) -> ItemOutput:
        size = len(self.collection)
        if not -size <= self.index < size:
            valid = f"valid: {-size}..{size - 1}" if size else "the collection is empty"
            raise LocatedError(f"index {self.index} is out of range ({valid})", field="index")
        return ItemOutput(item=self.collection[self.index])


@node("slice", title="Slice", category="collections", tags=("sub", "range", "part", "[:]"))
class SliceInvocation(BaseNode):
    """Items start..stop (stop excluded) every `step`, like Python's slices; empty bounds mean the ends."""

    collection: list[Any] = InputField(default_factory=list, description="The items")
    start: int | None = InputField(None, description="First position (negative counts from the end); empty: the start")
    stop: int | None = InputField(None, description="Position to stop before; empty: the end")
    step: int = InputField(1, description="Take every step-th item; negative walks backwards, not 0")

    def invoke(self, context: InvocationContext) -> CollectionOutput:
        if self.step == 0:
            raise LocatedError("step cannot be 0", field="step")
        return CollectionOutput(collection=self.collection[self.start:self.stop:self.step])


@node("shuffle", title="Shuffle", category="collections", tags=("random", "permute", "order", "seed"))
class ShuffleInvocation(BaseNode):
    """The items in a random order decided by the seed (same seed, same order)."""

    collection: list[Any] = InputField(default_factory=list, description="The items")
    seed: int = InputField(0, ge=0, description="Same seed, same order")

    def invoke(self, context: InvocationContext) -> CollectionOutput:
        items = list(self.collection)
        random.Random(self.seed).shuffle(items)
        return CollectionOutput(collection=items)
