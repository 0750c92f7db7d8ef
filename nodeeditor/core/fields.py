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
    """A conditioning tensor stored as an artifact; SDXL's pooled text embedding rides along."""

    conditioning_name: str = Field(min_length=1)
    pooled_name: str | None = None


class _ModelReference(_Reference):
    """One part of a model file or folder, named by its identity: path, size and modification time.

    Small on purpose: the weights stay in the worker's model cache; the output cache keys these
    references by file identity and never hashes gigabytes of weights.
    """

    path: str = Field(min_length=1)
    size: int = Field(ge=0)
    mtime_ns: int = Field(ge=0)
    family: str = "sd1"
    """Architecture: sd1, sd2, sdxl or custom (a diffusers folder of any other shape)."""


class UNetField(_ModelReference):
    """The denoising UNet (and the scheduler settings it was trained with)."""


class ClipField(_ModelReference):
    """The text encoder(s) and tokenizer(s)."""


class VAEField(_ModelReference):
    """The autoencoder between images and latents."""


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
