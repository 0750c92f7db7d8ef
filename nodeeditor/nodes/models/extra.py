"""The optional `models` extra: whether it is installed, and torch imported only when a node runs.

`import torch, diffusers, transformers` takes seconds; the window and the command line register
these nodes without importing any of them (find_spec looks, it does not import).
"""

from __future__ import annotations

import importlib.util
from types import ModuleType
from typing import Any, Callable, TypeVar

from nodeeditor.core.errors import MissingExtraError
from nodeeditor.core.node import BaseNode, node

PACKAGES = ("torch", "diffusers", "transformers", "safetensors")
INSTALL_HINT = 'needs the optional models extra: pip install "nodeeditor[models]"'


def missing() -> list[str]:
    """The extra's packages that cannot be imported here."""
    found = []
    for name in PACKAGES:
        try:
            if importlib.util.find_spec(name) is None:
                found.append(name)
        except (ImportError, ValueError):
            found.append(name)
    return found


_modules: list[tuple[ModuleType, ModuleType, ModuleType]] = []
"""The three modules once imported: every model node asks, and a cached model must cost microseconds."""


def require() -> tuple[ModuleType, ModuleType, ModuleType]:
    """torch, diffusers and transformers, or a one-line error that says how to install them."""
    if _modules:
        return _modules[0]
    absent = missing()
    if absent:
        raise MissingExtraError(f"{INSTALL_HINT} ({', '.join(absent)} not installed)")
    try:
        import diffusers
        import torch
        import transformers
    except ImportError as exc:
        raise MissingExtraError(f"{INSTALL_HINT} ({exc})") from None
    for noisy in (diffusers.utils.logging, transformers.utils.logging):
        noisy.set_verbosity_error()
        noisy.disable_progress_bar()
    _modules.append((torch, diffusers, transformers))
    return _modules[0]


def placement(cuda_available: bool) -> tuple[str, str]:
    """Where models run and in what precision: CUDA in half precision (half the VRAM, the GPU's
    fast path) when there is a GPU, else the CPU in single precision (half is slow there)."""
    return ("cuda", "float16") if cuda_available else ("cpu", "float32")


def vae_precision(dtype: str, force_upcast: bool) -> str:
    """A VAE whose config says it overflows in half precision (SDXL's) stays in single precision."""
    return "float32" if force_upcast else dtype


def device_and_dtype() -> tuple[Any, Any]:
    """`placement` as torch objects, asking torch whether there is a GPU."""
    torch = require()[0]
    device, dtype = placement(torch.cuda.is_available())
    return torch.device(device), getattr(torch, dtype)


N = TypeVar("N", bound=type[BaseNode])


def model_node(type_name: str, **options: Any) -> Callable[[N], N]:
    """`@node` for nodes of the extra: without it, the palette description says how to get it."""

    def decorate(cls: N) -> N:
        if missing():
            cls.__doc__ = f"{(cls.__doc__ or '').strip()}\n{INSTALL_HINT[0].upper()}{INSTALL_HINT[1:]}."
        return node(type_name, category="models", **options)(cls)

    return decorate
