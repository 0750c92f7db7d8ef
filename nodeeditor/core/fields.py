"""Values of the primitives that are not plain Python values: references, never pixels or tensors."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Reference(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ImageField(_Reference):
    """An image stored as an artifact, named by the store."""

    image_name: str = Field(min_length=1)


class LatentsField(_Reference):
    """A float32 latent tensor stored as an artifact."""

    latents_name: str = Field(min_length=1)
    seed: int | None = None


class ConditioningField(_Reference):
    """A conditioning tensor stored as an artifact."""

    conditioning_name: str = Field(min_length=1)


class ColorField(BaseModel):
    """An RGBA colour with 8-bit channels; the default is opaque black."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    r: int = Field(default=0, ge=0, le=255)
    g: int = Field(default=0, ge=0, le=255)
    b: int = Field(default=0, ge=0, le=255)
    a: int = Field(default=255, ge=0, le=255)

    def tuple(self) -> tuple[int, int, int, int]:
        return (self.r, self.g, self.b, self.a)

    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}{:02x}".format(*self.tuple())
