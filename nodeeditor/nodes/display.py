"""Nodes that show results on the canvas: a value in the node body, or an image as a large preview.

Both pass their input on unchanged, so they can sit in the middle of a graph. What they show comes
from the run's events (each node's output summary and image names); these nodes do no painting.
"""

from __future__ import annotations

from typing import Any

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.fields import ImageField
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, InputKind, OutputField, node


class ShowValueOutput(BaseOutput):
    value: Any = OutputField(description="the value, unchanged")


@node("show_value", title="Show Value", category="display",
      tags=("display", "inspect", "print", "watch", "debug", "preview"))
class ShowValueInvocation(BaseNode):
    """Shows the value it receives in its body after a run (numbers, text, lists with their length,
    colours as swatches) and passes it on."""

    value: Any = InputField(None, input=InputKind.CONNECTION, description="Any value to show")

    def invoke(self, context: InvocationContext) -> ShowValueOutput:
        return ShowValueOutput(value=self.value)


class PreviewImageOutput(BaseOutput):
    image: ImageField = OutputField(description="the image, unchanged")


@node("preview_image", title="Preview Image", category="display",
      tags=("display", "view", "show", "preview", "image"))
class PreviewImageInvocation(BaseNode):
    """Shows the image it receives as a large preview on the node after a run, and passes it on."""

    image: ImageField = InputField(input=InputKind.CONNECTION, description="The image to preview")

    def invoke(self, context: InvocationContext) -> PreviewImageOutput:
        return PreviewImageOutput(image=self.image)
