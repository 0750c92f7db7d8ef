"""Output cache shared across sessions, keyed by Merkle keys: a node's own inputs + its parents' keys.

A Merkle key costs O(1) per node; keys built from a node's whole ancestry cost O(n^2) on chains.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from typing import Any

from nodeeditor.core.plan import NodeCall


def _canonical(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    return value


def cache_key(call: NodeCall, upstream_keys: dict[Any, str]) -> str:
    """Key of one instance; nodes that opt out of caching get a fresh key every run."""
    if not call.spec.cacheable:
        return uuid.uuid4().hex
    payload = {
        "type": call.spec.type,
        "version": call.spec.version,
        "direct": _canonical(call.direct),
        "sources": [[f, upstream_keys[inst], out] for f, inst, out in call.sources],
        "salt": call.salt,
        "bypassed": call.node.bypassed,
    }
    identity = getattr(call.spec.cls, "cache_identity", None)
    if identity is not None:  # e.g. a model file's (path, size, mtime): what it reads, not only its name
        payload["identity"] = identity(call.inputs)
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class OutputCache:
    """A bounded LRU map from cache key to a node's outputs; safe to share between threads."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: str, outputs: dict[str, Any]) -> None:
        with self._lock:
            self._entries[key] = outputs
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
