"""Helpers the subcommands share: registry, workflow loading, --set parsing, error printing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from nodeeditor.core.errors import LocatedError
from nodeeditor.core.registry import Registry, default_registry
from nodeeditor.paths import data_dir, user_nodes_dir


def home_of(args: argparse.Namespace) -> Path:
    return data_dir(getattr(args, "home", None))


def registry_for(args: argparse.Namespace) -> Registry:
    registry = default_registry(user_nodes_dir(home_of(args)))
    for error in registry.load_errors:
        print(f"warning: plug-in skipped: {error}", file=sys.stderr)
    return registry


def parse_sets(items: list[str], file: str) -> dict[tuple[str, str], Any]:
    """`NODE.FIELD=JSON` pairs; a bare word that is not JSON is taken as a string."""
    overrides: dict[tuple[str, str], Any] = {}
    for item in items:
        target, sep, raw = item.partition("=")
        node, dot, field = target.partition(".")
        if not sep or not dot or not node or not field:
            raise LocatedError(f"--set {item!r} must look like NODE.FIELD=JSON", file=file)
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        overrides[(node, field)] = value
    return overrides


def fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def store_for(args: argparse.Namespace):
    """The store named by --db / --home (migrated, interrupted sessions recovered)."""
    from nodeeditor.store.store import open_store

    return open_store(getattr(args, "db", None), home_of(args))
