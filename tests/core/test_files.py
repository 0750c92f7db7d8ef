"""The atomic writer gives files the permissions a plain open() would: the umask decides."""

from __future__ import annotations

import os
import stat

import pytest

from nodeeditor.core.files import atomic_write_text


@pytest.fixture
def umask():
    def set_mask(mask: int) -> None:
        os.umask(mask)

    before = os.umask(0o022)
    yield set_mask
    os.umask(before)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_is_readable_by_others_under_umask_022(tmp_path, umask):
    umask(0o022)
    atomic_write_text(tmp_path / "flow.json", "{}")
    assert mode(tmp_path / "flow.json") == 0o644


def test_a_stricter_umask_is_respected(tmp_path, umask):
    umask(0o077)
    atomic_write_text(tmp_path / "flow.json", "{}")
    assert mode(tmp_path / "flow.json") == 0o600


def test_rewriting_a_file_keeps_its_mode(tmp_path, umask):
    umask(0o022)
    target = tmp_path / "flow.json"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write_text(target, "new")
    assert target.read_text() == "new" and mode(target) == 0o640
