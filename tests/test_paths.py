"""Where the package finds its files: its own folder, the clone, the user's cache."""

from pathlib import Path

import pytest

import annteach
from annteach import paths


def test_the_package_runs_from_its_clone_here():
    assert paths.PACKAGE_DIR == Path(annteach.__file__).resolve().parent
    assert paths.in_clone()
    assert (paths.REPO_ROOT / "notebooks").is_dir()


@pytest.mark.parametrize(("platform", "env", "expected"), [
    ("linux", {"XDG_CACHE_HOME": "/xdg"}, "/xdg/annteach"),
    ("linux", {}, "~/.cache/annteach"),
    ("darwin", {"XDG_CACHE_HOME": "/xdg"}, "~/Library/Caches/annteach"),
    ("win32", {"LOCALAPPDATA": "/local"}, "/local/annteach"),
    ("win32", {}, "~/AppData/Local/annteach"),
])
def test_user_cache_dir_follows_the_platform(monkeypatch, tmp_path, platform, env, expected):
    monkeypatch.setattr("sys.platform", platform)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("XDG_CACHE_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert paths.user_cache_dir() == Path(expected.replace("~", str(tmp_path)))
