"""Node types known to the application: built-ins, entry points and the user's nodes folder.

A plug-in that fails to import is recorded in `load_errors` and skipped; it never stops the app.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import NodeDefinitionError
from .node import NodeSpec

ENTRY_POINT_GROUP = "nodeeditor.nodes"
BUILTIN_MODULES = (
    "primitives", "math", "strings", "collections", "color", "image", "latents", "conditioning",
    "image_geometry", "image_filters", "image_compose", "image_generate", "reroute", "display",
    "models",
)


@dataclass
class PluginError:
    source: str
    message: str
    traceback: str = ""

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


class Registry:
    def __init__(self) -> None:
        self._specs: dict[str, NodeSpec] = {}
        self.load_errors: list[PluginError] = []
        self._source = "builtin"
        self._loaded_sources: set[str] = set()

    def add(self, spec: NodeSpec) -> None:
        existing = self._specs.get(spec.type)
        if existing is not None and (existing.cls.__module__, existing.cls.__qualname__) != (
            spec.cls.__module__, spec.cls.__qualname__
        ):
            raise NodeDefinitionError(
                f"node type {spec.type!r} from {spec.cls.__module__}.{spec.cls.__qualname__} "
                f"is already defined by {existing.cls.__module__}.{existing.cls.__qualname__}"
            )
        spec.source = self._source
        self._specs[spec.type] = spec

    def get(self, type_name: str) -> NodeSpec | None:
        return self._specs.get(type_name)

    def __contains__(self, type_name: str) -> bool:
        return type_name in self._specs

    def __iter__(self) -> Iterator[NodeSpec]:
        return iter(sorted(self._specs.values(), key=lambda s: (s.category, s.type)))

    def __len__(self) -> int:
        return len(self._specs)

    def categories(self) -> list[str]:
        return sorted({s.category for s in self._specs.values()})

    @contextmanager
    def _loading(self, source: str, *, plugin: bool = True) -> Iterator[None]:
        """Record a failure of `source` instead of raising; a plug-in's bare `@node` lands here."""
        previous, self._source = self._source, source
        if plugin:
            _LOADING.append(self)
        try:
            yield
        except (Exception, SystemExit) as exc:  # a plug-in must never take the app down
            self.load_errors.append(PluginError(source, f"{type(exc).__name__}: {exc}",
                                                traceback.format_exc()))
        finally:
            self._source = previous
            if plugin:
                _LOADING.pop()

    def load_builtins(self) -> None:
        for name in BUILTIN_MODULES:
            if f"builtin:{name}" in self._loaded_sources:
                continue
            self._loaded_sources.add(f"builtin:{name}")
            with self._loading("builtin", plugin=False):
                importlib.import_module(f"nodeeditor.nodes.{name}")

    def load_entry_points(self) -> None:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            source = f"entry point {ep.name} ({ep.value})"
            if source in self._loaded_sources:
                continue
            self._loaded_sources.add(source)
            with self._loading(source):
                loaded = ep.load()
                if callable(loaded) and not isinstance(loaded, type):
                    loaded(self)

    def load_folder(self, folder: Path) -> None:
        """Import every `*.py` in `folder`; each file registers its nodes with `@node`."""
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.py")):
            source = str(path)
            if source in self._loaded_sources:
                continue
            self._loaded_sources.add(source)
            module_name = f"nodeeditor_user_nodes.{path.stem}"
            with self._loading(source):
                spec = importlib.util.spec_from_file_location(module_name, path)
                if spec is None or spec.loader is None:
                    raise ImportError(f"cannot import {path}")
                module = importlib.util.module_from_spec(spec)
                sys.modules[module_name] = module
                try:
                    spec.loader.exec_module(module)
                except BaseException:
                    sys.modules.pop(module_name, None)
                    raise


REGISTRY = Registry()
_LOADING: list[Registry] = []
"""Registries importing a plug-in right now, innermost last."""


def current_registry() -> Registry:
    """Where a `@node` without `registry=` goes: the registry loading a plug-in, else REGISTRY."""
    return _LOADING[-1] if _LOADING else REGISTRY


def default_registry(user_nodes: Path | None = None) -> Registry:
    """The shared registry with built-ins, entry points and (when given) the user's nodes folder."""
    REGISTRY.load_builtins()
    REGISTRY.load_entry_points()
    if user_nodes is not None:
        REGISTRY.load_folder(user_nodes)
    return REGISTRY
