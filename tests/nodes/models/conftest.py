"""One tiny real model for the whole run (built once, ~1 s after torch is imported)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1])]  # tiny_model, image_harness

from tiny_model import TinyModel, build  # noqa: E402


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> TinyModel:
    return build(tmp_path_factory.mktemp("models"))


@pytest.fixture
def models():
    """The process's model cache, emptied so that each test counts its own loads."""
    from nodeeditor.engine import model_cache

    cache = model_cache.shared()
    cache.clear()
    cache.figures = model_cache.CacheFigures()
    yield cache
    cache.clear()
