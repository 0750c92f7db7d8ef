"""Loaded models kept in the worker process across sessions, least recently used first out.

Loading a checkpoint takes seconds to minutes; a batch of 500 sessions must pay it once. Entries
are keyed by file identity (path, size, modification time) and weigh their parameter bytes
against a RAM budget (models on the CPU) or a VRAM budget (models on a GPU), both read from the
`[models]` section of `<home>/settings.ini`:

    [models]
    default_model = /path/to/model      ; what a Main Model Loader with an empty path loads
    ram_budget_gb = 8
    vram_budget_gb = 10

NODEEDITOR_MODEL overrides default_model (handy for the command line and CI). The cache knows
nothing about torch: a loader hands back the object, the bytes it holds and its device type.
"""

from __future__ import annotations

import configparser
import os
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Hashable

import psutil

SETTINGS_FILE = "settings.ini"
SECTION = "models"
MODEL_ENV = "NODEEDITOR_MODEL"
GB = 1024 ** 3


@dataclass(frozen=True)
class ModelSettings:
    default_model: str = ""
    ram_budget: int = 0
    vram_budget: int = 0

    @classmethod
    def read(cls, home: Path | None) -> "ModelSettings":
        """Settings from `<home>/settings.ini`; missing or unreadable values take the defaults:
        half of the machine's RAM, 80 % of the GPU's memory (when torch has one)."""
        parser = configparser.ConfigParser(interpolation=None)
        if home is not None:
            try:
                parser.read(Path(home) / SETTINGS_FILE, encoding="utf-8")
            except (configparser.Error, OSError, UnicodeError):
                pass
        section = parser[SECTION] if parser.has_section(SECTION) else {}

        def gigabytes(key: str, default: int) -> int:
            try:
                value = float(section.get(key, ""))
            except ValueError:
                return default
            return int(value * GB) if value > 0 else default

        model = os.environ.get(MODEL_ENV) or section.get("default_model", "").strip().strip('"')
        return cls(default_model=model,
                   ram_budget=gigabytes("ram_budget_gb", psutil.virtual_memory().total // 2),
                   vram_budget=gigabytes("vram_budget_gb", _default_vram_budget()))


def _default_vram_budget() -> int:
    torch = sys.modules.get("torch")
    try:
        if torch is not None and torch.cuda.is_available():
            return int(torch.cuda.get_device_properties(0).total_memory * 0.8)
    except Exception:
        pass
    return 0


@dataclass
class Loaded:
    """One entry: the object, the bytes it holds, where ("cpu" or "cuda"), how long it took."""

    value: Any
    size: int
    device: str = "cpu"
    load_s: float = 0.0


@dataclass
class CacheFigures:
    loads: int = 0
    hits: int = 0
    evictions: int = 0
    load_s: float = 0.0
    last_load_s: float = 0.0
    entries: int = 0
    ram_bytes: int = 0
    vram_bytes: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class SessionModels:
    """What one session asked of the cache: models it loaded (and how long that took) and models
    it found already loaded. A model counts once per session however many nodes use it."""

    loads: int
    hits: int
    load_s: float

    def as_dict(self) -> dict[str, Any]:
        return {"loads": self.loads, "hits": self.hits, "load_s": self.load_s}


@dataclass
class ModelCache:
    """A thread-safe LRU of loaded models within a RAM and a VRAM budget."""

    settings: ModelSettings = field(default_factory=ModelSettings)
    on_evict: Callable[[Any], None] | None = None
    _entries: OrderedDict[Hashable, Loaded] = field(default_factory=OrderedDict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    figures: CacheFigures = field(default_factory=CacheFigures)
    _asked: dict[Hashable, bool] = field(default_factory=dict)
    """Models asked for since `begin_session`: key -> whether the first ask found it loaded."""
    _base: tuple[int, float] = (0, 0.0)

    def get(self, key: Hashable, load: Callable[[], tuple[Any, int, str]]) -> Any:
        """The cached object for `key`; when absent, `load()` returns (object, bytes, device type),
        called once under the lock."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.figures.hits += 1
                self._asked.setdefault(key, True)
                return found.value
            self._asked[key] = False
            began = time.perf_counter()
            value, size, device = load()
            loaded = Loaded(value, size, device, time.perf_counter() - began)
            self.figures.loads += 1
            self.figures.load_s += loaded.load_s
            self.figures.last_load_s = loaded.load_s
            self._entries[key] = loaded
            self._fit(keep=key)
            self._count()
            return loaded.value

    def begin_session(self) -> None:
        """Start counting what the next session asks for (the session process calls this)."""
        with self._lock:
            self._asked.clear()
            self._base = (self.figures.loads, self.figures.load_s)

    def session_models(self) -> SessionModels | None:
        """Loads, hits and load time since `begin_session`; None when no model was asked for."""
        with self._lock:
            if not self._asked:
                return None
            loads, load_s = self._base
            return SessionModels(self.figures.loads - loads, sum(self._asked.values()),
                                 self.figures.load_s - load_s)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def _used(self, device: str) -> int:
        return sum(e.size for e in self._entries.values() if (e.device == "cpu") == (device == "cpu"))

    def _fit(self, keep: Hashable) -> None:
        """Drop the least recently used entries until both budgets hold (never the newest one)."""
        for device, budget in (("cpu", self.settings.ram_budget), ("cuda", self.settings.vram_budget)):
            if budget <= 0:
                continue
            for key in list(self._entries):
                if self._used(device) <= budget:
                    break
                entry = self._entries[key]
                if key == keep or (entry.device == "cpu") != (device == "cpu"):
                    continue
                self._drop(key)

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key)
        self.figures.evictions += 1
        if self.on_evict is not None:
            self.on_evict(entry.value)

    def _count(self) -> None:
        self.figures.entries = len(self._entries)
        self.figures.ram_bytes = self._used("cpu")
        self.figures.vram_bytes = self._used("cuda")

    def clear(self) -> None:
        with self._lock:
            for key in list(self._entries):
                self._drop(key)
            self._count()


_shared: ModelCache | None = None
_shared_lock = threading.Lock()
_read_as: tuple[Any, ...] | None = None
"""What the shared cache's settings were read from; the same again means the same settings."""


def _settings_source(home: Path | None) -> tuple[Any, ...]:
    """The settings file's stat, the environment override, and whether torch (the VRAM default)
    is there: a stat call, where reading the file and asking psutil takes tens of microseconds."""
    try:
        info = os.stat(Path(home) / SETTINGS_FILE) if home is not None else None
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino) if info is not None else None
    except OSError:
        stamp = None
    return (home, stamp, os.environ.get(MODEL_ENV), "torch" in sys.modules)


def shared(home: Path | None = None) -> ModelCache:
    """The cache of this process (one per worker process, kept across sessions). Settings are read
    again when settings.ini (or NODEEDITOR_MODEL) changed, so edits apply to the next node."""
    global _shared, _read_as
    with _shared_lock:
        if _shared is None:
            _read_as = _settings_source(home)
            _shared = ModelCache(ModelSettings.read(home))
        elif home is not None:
            source = _settings_source(home)
            if source != _read_as:
                _read_as = source
                _shared.settings = ModelSettings.read(home)
        return _shared


def figures() -> dict[str, Any]:
    """This process's load and hit counts since it started; empty when no model ran here."""
    return _shared.figures.as_dict() if _shared is not None else {}


def begin_session() -> None:
    """Count the coming session's models apart (no cache yet: nothing to count from)."""
    if _shared is not None:
        _shared.begin_session()


def session_models() -> dict[str, Any]:
    """The finished session's loads, hits and load time (`SessionModels`); empty when it used no model."""
    found = _shared.session_models() if _shared is not None else None
    return found.as_dict() if found is not None else {}
