"""Shared test set-up: Qt runs offscreen, and every test gets its own data folder."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """A fresh NODEEDITOR_HOME per test, so no test sees another's database or files."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("NODEEDITOR_HOME", str(home))
    return home
