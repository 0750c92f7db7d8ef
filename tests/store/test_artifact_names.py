"""Artifact names from workflows never reach outside the artifact folder, even where a file waits there."""

from __future__ import annotations

import pytest
from PIL import Image

from nodeeditor.store.artifacts import ArtifactError, FileArtifactStore


@pytest.fixture
def artifacts(tmp_path):
    return FileArtifactStore(tmp_path / "artifacts")


@pytest.mark.parametrize("name, target", [
    ("../escape.png", "artifacts/escape.png"),
    ("../../escape.png", "escape.png"),
    ("a/../../b.png", "artifacts/b.png"),
    ("..png", "artifacts/images/..png"),
    ("/tmp/x.png", None),
])
def test_a_name_that_is_not_a_plain_file_name_is_refused_though_the_file_exists(artifacts, tmp_path, name, target):
    if target is not None:
        (tmp_path / target).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (2, 2)).save(tmp_path / target, format="PNG")
    with pytest.raises(ArtifactError, match="is not a plain file name"):
        artifacts.load_image(name)


def test_an_images_folder_linked_outside_is_refused(artifacts, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    Image.new("RGB", (2, 2)).save(outside / "img_x.png")
    (artifacts.root / "images").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ArtifactError, match="points outside the artifact folder"):
        artifacts.load_image("img_x.png")


def test_a_thumbnails_folder_linked_outside_is_refused_and_nothing_is_written_there(artifacts, tmp_path):
    name = artifacts.save_image(Image.new("RGB", (300, 200)))
    outside = tmp_path / "outside"
    outside.mkdir()
    (artifacts.root / "thumbnails").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ArtifactError, match="points outside the artifact folder"):
        artifacts.thumbnail(name)
    assert list(outside.iterdir()) == []


def test_a_thumbnail_is_made_inside_the_folder(artifacts):
    name = artifacts.save_image(Image.new("RGB", (300, 200)))
    thumb = artifacts.thumbnail(name)
    assert thumb.parent == (artifacts.root / "thumbnails").resolve()
    with Image.open(thumb) as image:
        assert image.size == (128, 85)
