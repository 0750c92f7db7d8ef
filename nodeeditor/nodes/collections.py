"""Collections: Iterate fans a collection out, Collect gathers it back, and list helpers."""

from __future__ import annotations

from typing import Any

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, InputKind, OutputField, node


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


@node("collect", title="Collect", category="collections", tags=("gather", "join", "fan in"))
class CollectInvocation(BaseNode):
    """Gathers the item of every iteration (and of every link) into one collection."""

    item: Any = InputField(None, input=InputKind.CONNECTION, multi=True,
                           description="Items to gather; link as many as needed")

    def invoke(self, context: InvocationContext) -> CollectOutput:
        raise RuntimeError("collect is computed by the execution plan, never invoked")
