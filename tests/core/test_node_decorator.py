"""The @node decorator: what a definition yields, and the definitions it refuses."""

import pytest
from pydantic import Field

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import NodeDefinitionError
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, InputKind, OutputField, Widget, node
from nodeeditor.core.registry import Registry
from nodeeditor.core.types import Cardinality, Kind


class ValueOutput(BaseOutput):
    value: int = OutputField(description="the result")


def define(type_name="sample", version="1.0.0", registry=None, **fields):
    """A node class with `fields` as inputs, registered in `registry`."""
    namespace = {"__annotations__": {name: ann for name, (ann, _) in fields.items()},
                 **{name: default for name, (_, default) in fields.items()},
                 "invoke": lambda self, context: ValueOutput(value=1)}
    namespace["invoke"].__annotations__ = {"context": InvocationContext, "return": ValueOutput}
    cls = type("SampleInvocation", (BaseNode,), namespace)
    return node(type_name, title="Sample", category="test", tags=("x",), version=version,
                registry=registry if registry is not None else Registry())(cls)


def test_spec_carries_the_declared_metadata():
    registry = Registry()
    cls = define(registry=registry, count=(int, InputField(3, ge=1, le=9, description="How many",
                                                           input=InputKind.DIRECT)),
                 path=(str, InputField("", widget=Widget.FILE, file_filter="Text (*.txt)")))
    spec = registry.get("sample")
    assert spec is cls.spec
    assert (spec.title, spec.category, spec.tags, spec.version) == ("Sample", "test", ("x",), "1.0.0")
    count = spec.inputs["count"]
    assert (count.default, count.description, count.input_kind, count.widget) == (3, "How many", InputKind.DIRECT,
                                                                                  None)
    assert (spec.inputs["path"].widget, spec.inputs["path"].file_filter) == (Widget.FILE, "Text (*.txt)")
    assert spec.inputs["path"].describe()["widget"] == "file"
    assert count.constraints == {"ge": 1, "le": 9}
    assert spec.outputs["value"].type.kind == Kind.INTEGER


def test_required_input_stays_honestly_typed():
    registry = Registry()
    cls = define(registry=registry, image=(int, InputField(input=InputKind.CONNECTION)))
    field = registry.get("sample").inputs["image"]
    assert field.required and field.type.cardinality is Cardinality.SINGLE
    assert cls.model_fields["image"].annotation is int


def test_inputs_with_annotated_items_take_the_kind_of_the_annotated_type():
    from typing import Annotated

    Count = Annotated[int, Field(ge=0)]
    registry = Registry()
    define(registry=registry, counts=(list[Count], InputField([])), either=(Count | list[Count], InputField(0)))
    inputs = registry.get("sample").inputs
    assert (inputs["counts"].type.kind, inputs["counts"].type.cardinality) == (Kind.INTEGER, Cardinality.COLLECTION)
    assert (inputs["either"].type.kind, inputs["either"].type.cardinality) == (Kind.INTEGER, Cardinality.POLYMORPHIC)


@pytest.mark.parametrize("name", ["id", "type", "inputs", "position", "label", "bypassed", "use_cache"])
def test_reserved_input_names_are_refused(name):
    with pytest.raises(NodeDefinitionError, match=f"input name '{name}' is reserved"):
        define(**{name: (int, InputField(0))})


@pytest.mark.parametrize("version", ["1", "1.0", "v1.0.0", "1.0.0.0", "01.0.0"])
def test_versions_must_be_semantic(version):
    with pytest.raises(NodeDefinitionError, match="is not semantic"):
        define(version=version)


@pytest.mark.parametrize("version", ["0.1.0", "2.10.3", "1.0.0-beta.1", "1.0.0+build.5"])
def test_semantic_versions_are_accepted(version):
    assert define(version=version).spec.version == version


def test_a_second_class_with_the_same_type_name_is_refused():
    registry = Registry()
    define(registry=registry)
    with pytest.raises(NodeDefinitionError, match="'sample' .* is already defined"):
        class OtherInvocation(BaseNode):
            def invoke(self, context: InvocationContext) -> ValueOutput:
                return ValueOutput(value=2)

        node("sample", title="Other", category="test", registry=registry)(OtherInvocation)


@pytest.mark.parametrize("name", ["Sample", "my-node", "2d", ""])
def test_type_names_must_be_lower_snake_case(name):
    with pytest.raises(NodeDefinitionError, match="lower snake case"):
        define(type_name=name)


def test_invoke_must_declare_its_output_model():
    class NoReturn(BaseNode):
        def invoke(self, context):
            return None

    with pytest.raises(NodeDefinitionError, match="must be annotated to return a BaseOutput"):
        node("no_return", title="No", category="test", registry=Registry())(NoReturn)


@pytest.mark.parametrize("declared, wrong", [
    (InputField(0, ge=1), "default 0 of field 'count' breaks its own bounds"),
    (InputField(20, le=9), "default 20 of field 'count' breaks its own bounds"),
    (InputField(default_factory=lambda: -1, ge=0), "default -1 of field 'count' breaks its own bounds"),
])
def test_a_default_outside_its_own_bounds_is_refused_naming_class_and_field(declared, wrong):
    with pytest.raises(NodeDefinitionError) as caught:
        define(count=(int, declared))
    assert "SampleInvocation" in str(caught.value) and wrong in str(caught.value)


@pytest.mark.parametrize("declared", [3, Field(3, ge=0)])
def test_an_input_not_declared_with_input_field_is_refused(declared):
    with pytest.raises(NodeDefinitionError) as caught:
        define(count=(int, declared))
    assert "SampleInvocation" in str(caught.value)
    assert "field 'count' is not declared with InputField" in str(caught.value)
