"""Artifacts are files a worker writes by the thousand and can make again: written atomically,
never waiting for the disk to flush (the person's own files are flushed; see core/files.py)."""

from __future__ import annotations

import os

import numpy as np
from PIL import Image

from nodeeditor.store.artifacts import FileArtifactStore


def test_saving_images_tensors_and_thumbnails_never_waits_for_a_disk_flush(tmp_path, monkeypatch):
    artifacts = FileArtifactStore(tmp_path / "artifacts")
    flushed: list[int] = []
    monkeypatch.setattr(os, "fsync", flushed.append)
    name = artifacts.save_image(Image.new("RGB", (300, 200)))
    thumb = artifacts.thumbnail(name)
    tensor = artifacts.save_tensor(np.ones((2, 3), dtype=np.float32))
    assert flushed == []
    with Image.open(thumb) as image:
        assert image.size == (128, 85)
    assert artifacts.load_tensor(tensor).tolist() == [[1.0] * 3] * 2
