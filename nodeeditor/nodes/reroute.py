"""Reroute: a dot on the canvas that passes any value through, to tidy long links."""

from __future__ import annotations

from typing import Any

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, InputKind, OutputField, node


class RerouteOutput(BaseOutput):
    value: Any = OutputField(description="the value, unchanged")


@node("reroute", title="Reroute", category="flow", tags=("dot", "pass through", "wire"))
class RerouteInvocation(BaseNode):
    """Passes its input on unchanged; drawn as a small dot."""

    value: Any = InputField(None, input=InputKind.CONNECTION, description="Any value")

    def invoke(self, context: InvocationContext) -> RerouteOutput:
        return RerouteOutput(value=self.value)
