"""The node definition API: one pydantic class per node is the single source of truth.

A node class declares its inputs as fields made with `InputField`, returns an output model whose
fields are made with `OutputField`, and is registered with the `@node(...)` decorator. The palette,
validation, the JSON schema and `nodeeditor nodes` all read the `NodeSpec` the decorator builds.
"""

from __future__ import annotations

import math

import re
import typing
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Callable, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError, PydanticUndefined

from . import safe_json
from .errors import NodeDefinitionError
from .fields import ClipField, ColorField, ConditioningField, ImageField, LatentsField, UNetField, VAEField
from .types import Cardinality, Kind, SocketType
from .versions import Upgrade, check_upgrades

if TYPE_CHECKING:
    from .context import InvocationContext
    from .registry import Registry


class InputKind(str, Enum):
    """Whether an input takes a link, a value typed on the node, or either."""

    CONNECTION = "connection"
    DIRECT = "direct"
    EITHER = "either"


class Widget(str, Enum):
    """An editor other than the one a field's type implies."""

    FILE = "file"
    """A path picked with a file dialog (`file_filter` names the patterns)."""
    MULTILINE = "multiline"
    """Text edited in a box of several lines."""


RESERVED_NAMES = frozenset(
    {"id", "type", "label", "position", "inputs", "bypassed", "use_cache", "invoke", "spec"}
)
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
TYPE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

_PRIMITIVE_KINDS: dict[Any, str] = {
    int: Kind.INTEGER,
    float: Kind.FLOAT,
    str: Kind.STRING,
    bool: Kind.BOOLEAN,
    ImageField: Kind.IMAGE,
    LatentsField: Kind.LATENTS,
    ConditioningField: Kind.CONDITIONING,
    ColorField: Kind.COLOR,
    UNetField: Kind.UNET,
    ClipField: Kind.CLIP,
    VAEField: Kind.VAE,
    Any: Kind.ANY,
}


def InputField(
    default: Any = PydanticUndefined,
    *,
    title: str | None = None,
    description: str | None = None,
    input: InputKind = InputKind.EITHER,
    widget: Widget | None = None,
    file_filter: str | None = None,
    multi: bool = False,
    default_factory: Callable[[], Any] | None = None,
    **constraints: Any,
) -> Any:
    """Declare a node input; `constraints` are pydantic's (ge, le, min_length, ...).

    `multi` lets a connection input take several links (Collect gathers them all). `widget` picks
    an editor other than the type's own; `file_filter` ("Images (*.png *.jpg)") goes with FILE.
    """
    extra = {"field_kind": "input", "input": InputKind(input).value, "multi": multi,
             "widget": Widget(widget).value if widget is not None else None, "file_filter": file_filter}
    if default_factory is not None:
        return Field(default_factory=default_factory, title=title, description=description,
                     json_schema_extra=extra, **constraints)
    return Field(default, title=title, description=description, json_schema_extra=extra, **constraints)


def OutputField(*, title: str | None = None, description: str | None = None) -> Any:
    return Field(title=title, description=description, json_schema_extra={"field_kind": "output"})


class BaseOutput(BaseModel):
    """Base of every node's output model."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


class BaseNode(BaseModel):
    """Base of every node; the fields are its inputs, `invoke` does its work."""

    # A link may widen int/float into a string input (see core.types); pydantic must agree.
    # NaN and Infinity are refused: stored as JSON they would come back as null.
    model_config = ConfigDict(extra="forbid", validate_assignment=False, coerce_numbers_to_str=True,
                              allow_inf_nan=False)
    spec: ClassVar["NodeSpec"]

    def invoke(self, context: "InvocationContext") -> BaseOutput:
        raise NotImplementedError


def kind_of(annotation: Any) -> str:
    annotation = _strip_annotated(annotation)
    if annotation in _PRIMITIVE_KINDS:
        return _PRIMITIVE_KINDS[annotation]
    origin = typing.get_origin(annotation)
    if origin is Literal:
        values = typing.get_args(annotation)
        return kind_of(type(values[0])) if values else Kind.ANY
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return Kind.STRING
    if isinstance(annotation, type):
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", annotation.__name__.removesuffix("Field")).lower()
        return name or Kind.ANY
    return Kind.ANY


def _strip_annotated(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def socket_type_of(annotation: Any) -> SocketType:
    """Read kind and cardinality from a field annotation: X, list[X], X | list[X], X | None."""
    annotation = _strip_annotated(annotation)
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        args = typing.get_args(annotation)
        return SocketType(kind_of(args[0] if args else Any), Cardinality.COLLECTION)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType")):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        singles = [a for a in args if typing.get_origin(_strip_annotated(a)) not in (list, tuple)]
        lists = [a for a in args if typing.get_origin(_strip_annotated(a)) in (list, tuple)]
        if len(singles) == 1 and len(lists) == 1:
            inner = typing.get_args(_strip_annotated(lists[0]))
            if inner and kind_of(inner[0]) == kind_of(singles[0]):
                return SocketType(kind_of(singles[0]), Cardinality.POLYMORPHIC)
        if len(args) == 1:
            return socket_type_of(args[0])
        return SocketType(Kind.ANY)
    return SocketType(kind_of(annotation))


def _choices_of(annotation: Any) -> list[Any] | None:
    annotation = _strip_annotated(annotation)
    if typing.get_origin(annotation) is Literal:
        return list(typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [m.value for m in annotation]
    return None


_MISSING = PydanticUndefined


def _plainly_storable(value: Any) -> bool:
    """A scalar that safe_json.check would pass, told apart without walking (most typed values)."""
    kind = type(value)
    if kind is int:
        return -_SMALL_INT < value < _SMALL_INT
    if kind is str:
        return value.isascii()
    if kind is float:
        return math.isfinite(value)
    return value is None or kind is bool


_SMALL_INT = 10**18
_ONE_INT = SocketType(Kind.INTEGER)


@dataclass
class InputSpec:
    name: str
    type: SocketType
    title: str
    description: str
    input_kind: InputKind
    required: bool
    default: Any
    widget: Widget | None
    file_filter: str | None
    multi: bool
    constraints: dict[str, Any]
    choices: list[Any] | None
    adapter: TypeAdapter = field(repr=False)
    annotation: Any = field(default=Any, repr=False, compare=False)
    """The field's type with its constraints; `validate_many` builds its list adapter from it."""
    _many: TypeAdapter | None = field(default=None, init=False, repr=False, compare=False)
    _small_ints: TypeAdapter | None = field(default=None, init=False, repr=False, compare=False)

    def validate(self, value: Any) -> Any:
        """Coerce `value` to the field's type or raise pydantic's ValidationError. Values that
        cannot be stored exactly (NaN, Infinity, lone surrogates, deep nesting) are refused."""
        if not _plainly_storable(value):
            self._storable(value, value)
        result = self.adapter.validator.validate_python(value)  # without TypeAdapter's wrapper: 4x faster
        if result is not value and not _plainly_storable(result):
            self._storable(result, value)  # "NaN" or "inf" as text becomes a float here
        return result

    def _storable(self, value: Any, given: Any, check: Callable[[Any], None] = safe_json.check) -> None:
        try:
            check(value)
        except safe_json.UnsafeValue as exc:
            raise ValidationError.from_exception_data(self.name, [
                {"type": PydanticCustomError("unstorable", exc.message), "loc": tuple(exc.path),
                 "input": given}]) from None

    def validate_many(self, values: list[Any]) -> list[Any]:
        """Coerce a whole list of values in one call (a batch axis of a million items): pydantic's
        error locations start with the position of the first bad one. What JSON cannot keep is
        refused as in `validate`."""
        if self._many is None:
            self._many = TypeAdapter(list[self.annotation])  # type: ignore[name-defined]
        if self.type == _ONE_INT and not self.multi:
            # Integers first (the common axis), in one C pass: what parses to an int of at most 18
            # digits was a number or a numeric text, which JSON keeps. Anything else (or any
            # error, to be reported as always) takes the full path below.
            if self._small_ints is None:
                self._small_ints = TypeAdapter(list[Annotated[self.annotation,  # type: ignore[name-defined]
                                                              Field(gt=-_SMALL_INT, lt=_SMALL_INT)]])
            try:
                return self._small_ints.validator.validate_python(values)
            except ValidationError:
                pass
        self._storable(values, values, safe_json.check_many)
        result = self._many.validate_python(values)
        if self.type.kind == Kind.FLOAT:  # "nan" as text becomes a float
            self._storable(result, values, safe_json.check_many)
        return result

    def to_json(self, value: Any) -> Any:
        return self.adapter.dump_python(value, mode="json")

    @property
    def has_default(self) -> bool:
        return not self.required

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name, "type": str(self.type), "kind": self.type.kind,
            "cardinality": self.type.cardinality.value, "title": self.title,
            "description": self.description, "input": self.input_kind.value,
            "required": self.required,
        }
        if not self.required:
            out["default"] = self.to_json(self.default)
        if self.constraints:
            out["constraints"] = self.constraints
        if self.choices is not None:
            out["choices"] = self.choices
        if self.widget is not None:
            out["widget"] = self.widget.value
        if self.file_filter:
            out["file_filter"] = self.file_filter
        if self.multi:
            out["multi"] = True
        return out


@dataclass
class OutputSpec:
    name: str
    type: SocketType
    title: str
    description: str

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "type": str(self.type), "kind": self.type.kind,
                "cardinality": self.type.cardinality.value, "title": self.title,
                "description": self.description}


@dataclass
class NodeSpec:
    type: str
    title: str
    category: str
    tags: tuple[str, ...]
    version: str
    description: str
    cls: type[BaseNode]
    output_cls: type[BaseOutput]
    inputs: dict[str, InputSpec]
    outputs: dict[str, OutputSpec]
    cacheable: bool = True
    source: str = "builtin"
    upgrades: tuple["Upgrade", ...] = ()
    """Steps from older major versions, oldest first (see core.versions)."""

    def describe(self) -> dict[str, Any]:
        return {
            "type": self.type, "title": self.title, "category": self.category,
            "tags": list(self.tags), "version": self.version, "description": self.description,
            "upgrades_from": [u.from_version for u in self.upgrades],
            "cacheable": self.cacheable, "source": self.source,
            "inputs": [i.describe() for i in self.inputs.values()],
            "outputs": [o.describe() for o in self.outputs.values()],
        }


_CONSTRAINT_NAMES = ("ge", "gt", "le", "lt", "multiple_of", "min_length", "max_length", "pattern")


def _constraints(info: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in info.metadata:
        for name in _CONSTRAINT_NAMES:
            if hasattr(item, name) and getattr(item, name) is not None:
                found[name] = getattr(item, name)
    return found


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _input_spec(name: str, info: Any, where: str) -> InputSpec:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if extra.get("field_kind") != "input":
        raise NodeDefinitionError(f"{where}: field {name!r} is not declared with InputField(...)")
    annotation = info.annotation
    annotated = typing.Annotated[(annotation, *info.metadata)] if info.metadata else annotation
    adapter = TypeAdapter(annotated)
    required = info.is_required()
    default = None if required else info.get_default(call_default_factory=True)
    if not required:
        try:
            adapter.validate_python(default)
        except ValidationError as exc:
            raise NodeDefinitionError(f"{where}: default {default!r} of field {name!r} breaks its own "
                                      f"bounds: {validation_message(exc)}") from None
    widget = extra.get("widget")
    return InputSpec(
        name=name, type=socket_type_of(annotation), title=info.title or _title(name),
        description=info.description or "", input_kind=InputKind(extra.get("input", "either")),
        required=required, default=default, widget=Widget(widget) if widget else None,
        file_filter=extra.get("file_filter"), multi=bool(extra.get("multi", False)),
        constraints=_constraints(info), choices=_choices_of(annotation), adapter=adapter,
        annotation=annotated,
    )


def build_spec(cls: type[BaseNode], *, type_name: str, title: str, category: str,
               tags: tuple[str, ...], version: str, cacheable: bool,
               upgrades: typing.Iterable["Upgrade"] = ()) -> NodeSpec:
    where = f"node class {cls.__module__}.{cls.__qualname__} ({type_name!r})"
    if not TYPE_NAME.match(type_name):
        raise NodeDefinitionError(f"{where}: type name must be lower snake case")
    if not SEMVER.match(version):
        raise NodeDefinitionError(f"{where}: version {version!r} is not semantic (MAJOR.MINOR.PATCH)")
    if not issubclass(cls, BaseNode):
        raise NodeDefinitionError(f"{where}: must subclass BaseNode")
    steps = check_upgrades(where, version, upgrades)
    inputs: dict[str, InputSpec] = {}
    for name, info in cls.model_fields.items():
        if name in RESERVED_NAMES or name.startswith("_"):
            raise NodeDefinitionError(f"{where}: input name {name!r} is reserved")
        inputs[name] = _input_spec(name, info, where)
    try:
        hints = typing.get_type_hints(cls.invoke)
    except Exception as exc:
        raise NodeDefinitionError(f"{where}: cannot read the return type of invoke(): {exc}") from exc
    output_cls = hints.get("return")
    if not (isinstance(output_cls, type) and issubclass(output_cls, BaseOutput)):
        raise NodeDefinitionError(f"{where}: invoke() must be annotated to return a BaseOutput subclass")
    outputs: dict[str, OutputSpec] = {}
    for name, info in output_cls.model_fields.items():
        if name in RESERVED_NAMES or name.startswith("_"):
            raise NodeDefinitionError(f"{where}: output name {name!r} is reserved")
        outputs[name] = OutputSpec(name=name, type=socket_type_of(info.annotation),
                                   title=info.title or _title(name), description=info.description or "")
    doc = (cls.__doc__ or "").strip()
    return NodeSpec(type=type_name, title=title, category=category, tags=tuple(tags), version=version,
                    description=doc, cls=cls, output_cls=output_cls, inputs=inputs, outputs=outputs,
                    cacheable=cacheable, upgrades=steps)


N = TypeVar("N", bound=type[BaseNode])


def node(type: str, *, title: str, category: str, tags: typing.Iterable[str] = (),
         version: str = "1.0.0", cacheable: bool = True, upgrades: typing.Iterable["Upgrade"] = (),
         registry: "Registry | None" = None) -> Callable[[N], N]:
    """Register a node class. `cacheable=False` for nodes whose output is not a function of inputs;
    `upgrades` carry workflows saved by older major versions to this one (core.versions.Upgrade)."""

    def decorate(cls: N) -> N:
        from .registry import current_registry

        spec = build_spec(cls, type_name=type, title=title, category=category, tags=tuple(tags),
                          version=version, cacheable=cacheable, upgrades=tuple(upgrades))
        cls.spec = spec
        (registry if registry is not None else current_registry()).add(spec)
        return cls

    return decorate


def validation_message(error: ValidationError) -> str:
    """pydantic's first error, phrased for a person."""
    parts = []
    for item in error.errors():
        loc = ".".join(str(p) for p in item.get("loc", ()) if p != "__root__")
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {message}" if loc else message)
    return "; ".join(parts)
