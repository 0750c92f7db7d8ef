"""Main Model Loader: a checkpoint path in, references to its UNet, text encoder and VAE out."""

from __future__ import annotations

import uuid
from typing import Any

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import LocatedError, MissingExtraError
from nodeeditor.core.fields import ClipField, UNetField, VAEField
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, OutputField, Widget

from .extra import model_node, require
from .files import Identity, identify
from .loading import LoadedModel, load

MODEL_ENV = "NODEEDITOR_MODEL"
Reference = UNetField | ClipField | VAEField


def model_path(context: InvocationContext | None, typed: str) -> str:
    """The typed path, else the settings' default_model (NODEEDITOR_MODEL first)."""
    if typed.strip():
        return typed
    if context is None:
        import os

        return os.environ.get(MODEL_ENV, "")
    return context.models.settings.default_model


def loaded_model(context: InvocationContext, identity: Identity, field: str, cache: Any = None) -> LoadedModel:
    """The model from the process's cache (`cache`, else the context's), loaded on a miss; a file
    that cannot be loaded fails this node with a message that names it."""
    cache = cache if cache is not None else context.models
    key = ("model", *identity.key())
    if key not in cache:
        context.progress(0.0, f"loading {identity.path}")
    try:
        return cache.get(key, lambda: load(identity))
    except (MissingExtraError, LocatedError):
        raise
    except Exception as exc:
        raise LocatedError(f"model {identity.path} cannot be loaded: {type(exc).__name__}: {exc}",
                           field=field) from exc


def model_of(context: InvocationContext, ref: Reference, field: str) -> LoadedModel:
    """The model a UNet/Clip/VAE reference names, refusing a file that changed since.

    A cached model is taken as it is: the loader's cache key already holds the file's identity, so
    an edited file gives new references, and nothing is stat'ed again for every node."""
    key = ("model", ref.path, ref.size, ref.mtime_ns)
    if key in context.models:
        return context.models.get(key, lambda: load(Identity(ref.path, ref.size, ref.mtime_ns)))
    identity = identify(ref.path, field)
    if (identity.size, identity.mtime_ns) != (ref.size, ref.mtime_ns):
        raise LocatedError(f"model {ref.path} changed after it was loaded; run the loader again", field=field)
    return loaded_model(context, identity, field)


class ModelLoaderOutput(BaseOutput):
    unet: UNetField = OutputField(title="UNet", description="the denoising UNet")
    clip: ClipField = OutputField(title="CLIP", description="the text encoder and its tokenizer")
    vae: VAEField = OutputField(title="VAE", description="the image autoencoder")


@model_node("main_model_loader", title="Main Model Loader",
            tags=("checkpoint", "stable diffusion", "sdxl", "safetensors", "ckpt", "diffusers"))
class MainModelLoaderInvocation(BaseNode):
    """Loads a Stable Diffusion 1.x, 2.x or XL model (a diffusers folder or a single .safetensors or
    .ckpt file) into the worker's model cache, offline; outputs references, never weights."""

    model: str = InputField("", description="A diffusers folder or a .safetensors/.ckpt file; empty: "
                                            "default_model in the [models] settings (or NODEEDITOR_MODEL)",
                            widget=Widget.FILE, file_filter="Checkpoints (*.safetensors *.ckpt)")

    @classmethod
    def cache_identity(cls, inputs: dict[str, Any]) -> Any:
        """File identity (path, size, modification time): an edited checkpoint is loaded again,
        an unchanged one is never hashed. Unresolvable paths are not cached (the node reports why)."""
        try:
            return identify(model_path(None, str(inputs.get("model", "")))).key()
        except LocatedError:
            return uuid.uuid4().hex

    def invoke(self, context: InvocationContext) -> ModelLoaderOutput:
        require()
        identity = identify(model_path(context, self.model), "model")
        cache = context.models
        figures = cache.figures
        hits = figures.hits
        model = loaded_model(context, identity, "model", cache)
        context.progress(1.0, "model cache hit" if figures.hits > hits else f"loaded in {figures.last_load_s:.2f} s")
        common = dict(path=identity.path, size=identity.size, mtime_ns=identity.mtime_ns, family=model.family)
        return ModelLoaderOutput(unet=UNetField(**common), clip=ClipField(**common), vae=VAEField(**common))
