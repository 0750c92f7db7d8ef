"""Socket types and the one rule that decides whether two sockets may be linked."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind:
    """Names of the built-in kinds; node-specific kinds are any other lower-case name."""

    INTEGER = "integer"
    FLOAT = "float"
    STRING = "string"
    BOOLEAN = "boolean"
    IMAGE = "image"
    LATENTS = "latents"
    CONDITIONING = "conditioning"
    COLOR = "color"
    ANY = "any"
    UNET = "unet"
    CLIP = "clip"
    VAE = "vae"

    PRIMITIVES = (INTEGER, FLOAT, STRING, BOOLEAN, IMAGE, LATENTS, CONDITIONING, COLOR)
    MODELS = (UNET, CLIP, VAE)
    """References to the parts of a loaded diffusion model (the `models` extra)."""


class Cardinality(str, Enum):
    SINGLE = "single"
    COLLECTION = "collection"
    POLYMORPHIC = "polymorphic"


@dataclass(frozen=True)
class SocketType:
    kind: str
    cardinality: Cardinality = Cardinality.SINGLE

    def __str__(self) -> str:
        if self.cardinality is Cardinality.COLLECTION:
            return f"list[{self.kind}]"
        if self.cardinality is Cardinality.POLYMORPHIC:
            return f"{self.kind} | list[{self.kind}]"
        return self.kind

    @property
    def is_collection(self) -> bool:
        return self.cardinality is Cardinality.COLLECTION


_WIDENS = {
    (Kind.INTEGER, Kind.FLOAT),
    (Kind.INTEGER, Kind.STRING),
    (Kind.FLOAT, Kind.STRING),
}


def kinds_compatible(source: str, target: str) -> bool:
    return (
        source == target
        or Kind.ANY in (source, target)
        or (source, target) in _WIDENS
    )


def connection_error(output: SocketType, input: SocketType) -> str | None:
    """Return None when `output` may feed `input`, else a reason a person can read."""
    if input.kind == Kind.ANY and input.cardinality is not Cardinality.COLLECTION:
        return None
    if not kinds_compatible(output.kind, input.kind):
        return f"{output} cannot connect to {input}"
    if output.cardinality is Cardinality.COLLECTION:
        if input.cardinality is Cardinality.SINGLE:
            return (
                f"{output} cannot connect to the single input {input}; "
                "insert an Iterate node to run once per item"
            )
        return None
    if output.cardinality is Cardinality.POLYMORPHIC and input.cardinality is Cardinality.SINGLE:
        return f"{output} may be a collection and cannot connect to the single input {input}"
    if input.cardinality is Cardinality.COLLECTION and output.kind != Kind.ANY:
        return f"a single {output.kind} cannot connect to {input}; use a Collect node"
    return None
