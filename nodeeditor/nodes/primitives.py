"""One node per primitive kind that passes its value on, single and collection."""

from __future__ import annotations

from typing import Any

from pydantic import create_model

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.fields import ColorField, ConditioningField, ImageField, LatentsField
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, OutputField, node

_PRIMITIVES: list[tuple[str, str, Any, Any]] = [
    ("integer", "Integer", int, 0),
    ("float", "Float", float, 0.0),
    ("string", "String", str, ""),
    ("boolean", "Boolean", bool, False),
    ("image", "Image", ImageField, ...),
    ("latents", "Latents", LatentsField, ...),
    ("conditioning", "Conditioning", ConditioningField, ...),
    ("color", "Color", ColorField, ColorField()),
]


def _define(type_name: str, title: str, annotation: Any, default: Any, collection: bool) -> type[BaseNode]:
    field_name = "collection" if collection else "value"
    ann = list[annotation] if collection else annotation
    output_cls = create_model(
        f"{title.replace(' ', '')}{'Collection' if collection else ''}Output",
        __base__=BaseOutput,
        **{field_name: (ann, OutputField(description=f"the {title.lower()} {field_name}"))},
    )
    if collection:
        field_default = InputField(default_factory=list, description=f"{title} values")
    elif default is ...:
        field_default = InputField(description=f"The {title.lower()}")
    else:
        field_default = InputField(default, description=f"The {title.lower()} value")

    def invoke(self: BaseNode, context: InvocationContext) -> Any:
        return output_cls(**{field_name: getattr(self, field_name)})

    invoke.__annotations__ = {"context": InvocationContext, "return": output_cls}
    cls = create_model(
        f"{title.replace(' ', '')}{'Collection' if collection else ''}Invocation",
        __base__=BaseNode,
        __module__=__name__,
        __doc__=f"Passes {'a collection of ' if collection else 'its '}{title.lower()} {'values' if collection else 'value'} on.",
        **{field_name: (ann, field_default)},
    )
    cls.invoke = invoke  # type: ignore[method-assign]
    name = f"{type_name}_collection" if collection else type_name
    full_title = f"{title} Collection" if collection else title
    return node(name, title=full_title, category="primitives",
                tags=("primitive", type_name) + (("collection",) if collection else ()))(cls)


for _type, _title, _ann, _default in _PRIMITIVES:
    globals()[f"{_title.replace(' ', '')}Invocation"] = _define(_type, _title, _ann, _default, False)
    globals()[f"{_title.replace(' ', '')}CollectionInvocation"] = _define(_type, _title, _ann, _default, True)
