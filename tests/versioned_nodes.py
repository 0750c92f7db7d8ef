"""A registry whose `scale` node is at 3.1.0 with upgrade steps from 1.x and 2.x, and an old workflow."""

from __future__ import annotations

from nodeeditor.api import BaseNode, InputField, IntegerOutput, InvocationContext, Upgrade, node
from nodeeditor.core.registry import Registry, default_registry
from nodeeditor.core.workflow import Workflow, parse_workflow


def registry_with_scale() -> Registry:
    registry = Registry()
    for spec in default_registry():
        registry.add(spec)

    @node("scale", title="Scale", category="test", version="3.1.0", registry=registry, upgrades=[
        Upgrade("1.x", rename={"amount": "value"}, drop=("mode",)),
        Upgrade("2.x", rename={"factor": "times"}, defaults={"offset": 1}),
    ])
    class ScaleInvocation(BaseNode):
        value: int = InputField(0)
        times: int = InputField(1)
        offset: int = InputField(0)

        def invoke(self, context: InvocationContext) -> IntegerOutput:
            return IntegerOutput(value=self.value * self.times + self.offset)

    return registry


def old_workflow(version: str, inputs: dict, field: str = "amount") -> Workflow:
    return parse_workflow({"version": 2, "nodes": [
        {"id": "n", "type": "integer", "inputs": {"value": 4}},
        {"id": "s", "type": "scale", "version": version, "inputs": inputs}],
        "edges": [{"source": {"node": "n", "field": "value"}, "destination": {"node": "s", "field": field}}]})
