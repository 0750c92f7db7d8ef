"""The one module a plug-in imports: everything needed to declare, type and run a node.

Names here are a promise to plug-in authors; the modules behind them may move. A plug-in file in
`<data dir>/nodes/` (or a package on the `nodeeditor.nodes` entry point) writes
`from nodeeditor.api import BaseNode, InputField, node, ...` and nothing else from nodeeditor.
"""

from nodeeditor.core.context import ArtifactStore, InvocationContext
from nodeeditor.core.errors import Canceled, LocatedError, NodeDefinitionError
from nodeeditor.core.fields import ColorField, ConditioningField, ImageField, LatentsField
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, InputKind, OutputField, Widget, node
from nodeeditor.core.types import Kind
from nodeeditor.core.versions import Upgrade
from nodeeditor.nodes._outputs import (CollectionOutput, ColorOutput, ConditioningOutput, FloatOutput, ImageOutput,
                                       IntegerCollectionOutput, IntegerOutput, LatentsOutput,
                                       StringCollectionOutput, StringOutput)

__all__ = [
    "ArtifactStore", "BaseNode", "BaseOutput", "Canceled", "CollectionOutput", "ColorField", "ColorOutput",
    "ConditioningField", "ConditioningOutput", "FloatOutput", "ImageField", "ImageOutput", "InputField",
    "InputKind", "IntegerCollectionOutput", "IntegerOutput", "InvocationContext", "Kind", "LatentsField",
    "LatentsOutput", "LocatedError", "NodeDefinitionError", "OutputField", "StringCollectionOutput",
    "StringOutput", "Upgrade", "Widget", "node",
]
