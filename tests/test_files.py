"""Atomic writes: all of the new file, or the old one untouched."""

import os
import stat

import pytest

from annteach.files import atomic_write


def test_writes_binary_and_text(tmp_path):
    atomic_write(tmp_path / "a.bin", lambda f: f.write(b"\x00\x01"))
    atomic_write(tmp_path / "b.txt", lambda f: f.write("grüße\n"), text=True)
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "b.txt").read_text(encoding="utf-8") == "grüße\n"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"old")

    def fail(f):
        f.write(b"half of the new")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, fail)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_new_file_gets_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "c", lambda f: f.write(b"x"))
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "c").stat().st_mode) == 0o644
