"""Atomic writes: all of the new file, or the old one untouched."""

import os
import stat
from pathlib import Path

import pytest

from annteach.files import atomic_write, replace_folder


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


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755, 0o444])
def test_an_existing_file_keeps_its_mode(tmp_path, mode):
    path = tmp_path / "secret.txt"
    path.write_text("old")
    path.chmod(mode)
    mask = os.umask(0o022)
    try:
        atomic_write(path, lambda f: f.write("new"), text=True)
    finally:
        os.umask(mask)
    assert path.read_text() == "new"
    assert stat.S_IMODE(path.stat().st_mode) == mode


@pytest.mark.parametrize("relative", [True, False])
def test_a_link_is_written_through_and_kept(tmp_path, relative):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "notebook.ipynb"
    target.write_text("old")
    target.chmod(0o600)
    link = tmp_path / "link.ipynb"
    link.symlink_to(os.path.relpath(target, tmp_path) if relative else target)
    second = tmp_path / "second.ipynb"  # a link to the link
    second.symlink_to(link)
    atomic_write(second, lambda f: f.write("new"), text=True)
    assert link.is_symlink() and second.is_symlink()
    assert second.resolve() == target.resolve()
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["notebook.ipynb"]


def test_a_dangling_link_creates_its_target(tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "target")
    atomic_write(link, lambda f: f.write(b"x"))
    assert link.is_symlink() and (tmp_path / "target").read_bytes() == b"x"


def _fill(folder, names):
    for name in names:
        (folder / name).write_text(name)


def test_replace_folder_swaps_the_whole_folder(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    _fill(folder, ["a", "b"])
    folder.chmod(0o700)
    replace_folder(folder, lambda new: _fill(new, ["c"]))
    assert sorted(p.name for p in folder.iterdir()) == ["c"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_replace_folder_creates_a_new_one_with_the_usual_mode(tmp_path):
    mask = os.umask(0o022)
    try:
        replace_folder(tmp_path / "x" / "out", lambda new: _fill(new, ["c"]))
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "x" / "out").stat().st_mode) == 0o755
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["out"]


def test_a_failure_while_writing_leaves_the_old_folder(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    _fill(folder, ["a"])

    def fail(new):
        _fill(new, ["c"])
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_folder(folder, fail)
    assert [p.name for p in folder.iterdir()] == ["a"] and (folder / "a").read_text() == "a"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_failed_swap_puts_the_old_folder_back(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    _fill(folder, ["a"])
    real_rename = os.rename
    failed = []

    def rename(source, target):  # the new folder cannot take the name; the old one can
        if Path(source).name.startswith(".out.") and Path(target) == folder and not failed:
            failed.append(source)
            raise OSError("no space for the new name")
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="no space"):
        replace_folder(folder, lambda new: _fill(new, ["c"]))
    assert failed and [p.name for p in folder.iterdir()] == ["a"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
