"""Where the course's files are: the package, the clone it may run from, the user's cache.

The package works both from a clone of the course (``pip install -e .``, ``make``) and
installed from a wheel (``pip install git+...`` on a JupyterHub, Binder or Colab). Files
it ships travel inside it (:data:`PACKAGE_DIR`); files too large to ship (MNIST) are
looked for in the clone's ``data/`` folder, when there is a clone, and in a per-user
cache folder (:func:`user_cache_dir`). No path is ever taken from the current directory,
and nothing is written into the package folder.
"""

import os
import sys
from pathlib import Path

__all__ = ["PACKAGE_DIR", "REPO_ROOT", "in_clone", "user_cache_dir"]

#: The folder of the package itself (``annteach/``), holding its shipped files.
PACKAGE_DIR = Path(__file__).resolve().parent

#: The folder above the package. In a clone this is the project folder (the notebooks,
#: ``data/``, ``slides/`` and ``build/``); in an installed package it is ``site-packages``,
#: so check :func:`in_clone` before looking for the clone's files there.
REPO_ROOT = PACKAGE_DIR.parent


def in_clone():
    """True when the package runs from a clone of the course (``pyproject.toml`` beside it)."""
    return (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "annteach").is_dir()


def user_cache_dir():
    """The per-user cache folder of annteach, by the platform's convention.

    ``$XDG_CACHE_HOME/annteach`` (default ``~/.cache/annteach``) on Linux and other
    Unix systems, ``~/Library/Caches/annteach`` on macOS, ``%LOCALAPPDATA%\\annteach``
    on Windows. The folder is not created here.

    Returns
    -------
    pathlib.Path
    """
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "annteach"
