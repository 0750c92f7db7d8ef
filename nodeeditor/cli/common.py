"""Helpers the subcommands share: registry, workflow loading, --set parsing, error printing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from nodeeditor.core import safe_json
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


MAX_INT64 = 2**63 - 1


def parse_sets(items: list[str], file: str) -> dict[tuple[str, str], Any]:
    """`NODE.FIELD=JSON` pairs; a bare word that is not JSON is taken as a string. Hostile JSON
    (NaN, Infinity, deep nesting, huge integers, lone surrogates) is refused, naming the field."""
    overrides: dict[tuple[str, str], Any] = {}
    for item in items:
        target, sep, raw = item.partition("=")
        node, dot, field = target.partition(".")
        if not sep or not dot or not node or not field:
            raise LocatedError(f"--set {_clip(item)!r} must look like NODE.FIELD=JSON", file=file)
        try:
            value = safe_json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        except safe_json.UnsafeValue as exc:
            raise LocatedError(f"--set: {exc.message}", file=file, node=node, field=field) from None
        try:
            safe_json.check(value)
        except safe_json.UnsafeValue as exc:  # text that is not valid Unicode (bytes from argv)
            raise LocatedError(f"--set: {exc.message}", file=file, node=node, field=field) from None
        overrides[(node, field)] = value
    return overrides


def _clip(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[:most] + "…"


def int64(text: str) -> int:
    """argparse type: an integer that fits the store's 64-bit columns."""
    try:
        value = int(text)
    except ValueError:
        if len(text) > safe_json.INT_DIGITS and text.lstrip("+-").isdigit():
            raise argparse.ArgumentTypeError(f"{_clip(text, 20)!r} has more than "
                                             f"{safe_json.INT_DIGITS} digits") from None
        raise argparse.ArgumentTypeError(f"{_clip(text, 20)!r} is not an integer") from None
    if not -MAX_INT64 - 1 <= value <= MAX_INT64:
        raise argparse.ArgumentTypeError(f"{_clip(text, 20)!r} is outside -2**63..2**63-1")
    return value


def count(text: str) -> int:
    """argparse type: a non-negative 64-bit integer (ids, indices, limits)."""
    value = int64(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def item_ref(text: str) -> int | str:
    """argparse type: an item id (`17`) or a session key (`BATCH:INDEX`, as `1:0`)."""
    if ":" not in text:
        return count(text)
    batch, _, index = text.partition(":")
    try:
        return f"{count(batch)}:{count(index)}"
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{_clip(text, 40)!r} must look like BATCH:INDEX ({exc})") from None


def fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def store_for(args: argparse.Namespace, *, write: bool = True):
    """The store named by --db / --home. A writer's store is checked, migrated and recovered;
    a reader's is checked and opened read-only (no write lock, no waiting behind a writer)."""
    from nodeeditor.store.store import open_store

    return open_store(getattr(args, "db", None), home_of(args), write=write, recover=write)


def session_key(text: str) -> str:
    """argparse type: a session key `BATCH:INDEX` (as `queue list` prints them, `1:0`)."""
    if ":" not in text:
        raise argparse.ArgumentTypeError(f"{_clip(text, 40)!r} must look like BATCH:INDEX")
    return str(item_ref(text))
