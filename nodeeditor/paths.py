"""Where the user's data lives: `--home`, then NODEEDITOR_HOME, then the platform's data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "nodeeditor"


def data_dir(home: str | os.PathLike[str] | None = None) -> Path:
    if home is None:
        home = os.environ.get("NODEEDITOR_HOME") or platformdirs.user_data_dir(APP_NAME, appauthor=False)
    path = Path(home).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def artifacts_dir(home: Path, root: str | os.PathLike[str] | None = None) -> Path:
    """`root` (--artifacts), then NODEEDITOR_ARTIFACTS (a folder workers on many machines share),
    then the data folder's own."""
    if root is None:
        root = os.environ.get("NODEEDITOR_ARTIFACTS") or None
    return Path(root).expanduser() if root is not None else home / "artifacts"


def user_nodes_dir(home: Path) -> Path:
    return home / "nodes"


def autosave_dir(home: Path) -> Path:
    return home / "autosave"


def database_url(home: Path) -> str:
    return f"sqlite:///{home / 'nodeeditor.db'}"
