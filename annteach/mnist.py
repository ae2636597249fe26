"""The MNIST handwritten digits: finding, loading and scaling them.

The four IDX files ship with the clone of the course in ``data/mnist/``, but not with
the installed package. :func:`mnist_files` looks for them, in this order, in

1. the folder it is given (``path``), else
2. the folder named by ``$ANNTEACH_DATA``, else
3. the clone's ``data/mnist/`` (when the package runs from a clone), then
4. the per-user cache folder :func:`mnist_cache_folder`, where ``annteach fetch-mnist``
   (:func:`annteach.mnist_fetch.fetch_mnist`) puts a downloaded copy,

never in the current directory. :func:`load_mnist` checks the SHA-256 of their
decompressed content.
"""

import functools
import hashlib
import os
from pathlib import Path

import numpy as np

from .idx import MAX_IDX_BYTES, read_idx
from .paths import REPO_ROOT, in_clone, user_cache_dir

__all__ = ["MNIST_FILES", "MNIST_SHA256", "MNIST_SIZES", "has_valid_copy", "load_mnist",
           "mnist_cache_folder", "mnist_files", "read_verified", "scale"]

#: SHA-256 of each *decompressed* MNIST IDX file (the ``.gz`` bytes vary by copy).
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: Size in bytes of each *decompressed* MNIST IDX file, header included.
MNIST_SIZES = {
    "train-images-idx3-ubyte": 47_040_016,
    "train-labels-idx1-ubyte": 60_008,
    "t10k-images-idx3-ubyte": 7_840_016,
    "t10k-labels-idx1-ubyte": 10_008,
}

#: split -> (images file, labels file), names without the ``.gz`` suffix.
MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

#: Environment variable naming a folder that holds the four MNIST files.
DATA_ENV = "ANNTEACH_DATA"

_SHAPE = (28, 28)


def mnist_cache_folder():
    """The per-user folder for a downloaded MNIST: ``user_cache_dir() / "mnist"``
    (:func:`annteach.paths.user_cache_dir`)."""
    return user_cache_dir() / "mnist"


def _clone_folder():
    """The clone's ``data/mnist/``, next to the package folder (None outside a clone)."""
    return REPO_ROOT / "data" / "mnist" if in_clone() else None


def _data_folders(path):
    """The folders to look in, in order, each with a phrase saying why it is one."""
    if path is not None:
        return [(Path(path), "the folder passed as `path`")]
    env = os.environ.get(DATA_ENV)
    if env:
        return [(Path(env), f"${DATA_ENV}")]
    clone = _clone_folder()
    return ([(clone, "the clone's data folder")] if clone else []) + [
        (mnist_cache_folder(), "your cache folder")]


def _find(folder, name):
    """``folder/name.gz`` or ``folder/name`` (whichever exists, ``.gz`` first), else None."""
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    return None


def read_verified(path, name, verify=True):
    """Read one IDX file; if ``verify``, check the decompressed SHA-256 of MNIST file ``name``."""
    digest = hashlib.sha256()
    array = read_idx(path, digest=digest, max_bytes=MNIST_SIZES[name] if verify else MAX_IDX_BYTES)
    if verify and digest.hexdigest() != MNIST_SHA256[name]:
        raise ValueError(
            f"{path}: checksum mismatch: the decompressed content has SHA-256 "
            f"{digest.hexdigest()}, expected {MNIST_SHA256[name]} for {name}. The file is "
            f"damaged or not the MNIST original; replace it (annteach.fetch_mnist(folder) "
            f"downloads a fresh copy)."
        )
    return array


def _stat_key(path):
    """What identifies a file's current version, for the cache."""
    st = path.stat()
    return str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino


@functools.lru_cache(maxsize=4)
def _load_cached(images_key, labels_key, names, verify):
    """Read, verify and check one split; the arrays are returned read-only."""
    images_path, labels_path = Path(images_key[0]), Path(labels_key[0])
    images = read_verified(images_path, names[0], verify)
    labels = read_verified(labels_path, names[1], verify)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != _SHAPE:
        raise ValueError(
            f"{images_path}: expected uint8 images of shape (N, 28, 28), "
            f"found {images.dtype} of shape {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(
            f"{labels_path}: expected uint8 labels of shape (N,), "
            f"found {labels.dtype} of shape {labels.shape}"
        )
    if len(images) != len(labels):
        raise ValueError(
            f"{images_path} holds {len(images)} images but {labels_path} holds "
            f"{len(labels)} labels; the counts must agree"
        )
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


def mnist_files(split="train", path=None):
    """Where the image and label files of one MNIST split are.

    Looks in ``path``, else ``$ANNTEACH_DATA``, else the clone's ``data/mnist/``
    and then :func:`mnist_cache_folder` (see the module docstring), for
    ``<name>.gz`` and then the decompressed ``<name>``.

    Parameters
    ----------
    split : {"train", "test"}
    path : str or os.PathLike, optional
        Folder holding the files.

    Returns
    -------
    images_path, labels_path : pathlib.Path

    Raises
    ------
    ValueError
        For an unknown split.
    FileNotFoundError
        If a file is missing; the message says where it looked and how to fix it.
    """
    if split not in MNIST_FILES:
        raise ValueError(f"unknown split {split!r}; use 'train' or 'test'")
    names = MNIST_FILES[split]
    folders = _data_folders(path)
    looked = []
    for folder, origin in folders:
        found = [_find(folder, name) for name in names]
        if None not in found:
            return found[0], found[1]
        missing = [name + "[.gz]" for name, p in zip(names, found, strict=True) if p is None]
        looked.append(f"{folder} ({origin}): missing {', '.join(missing)}")
    if len(folders) == 1:
        folder = folders[0][0]
        fix = (f"download them into that folder with `annteach fetch-mnist --dest {folder}` "
               f"(annteach.fetch_mnist({str(folder)!r}) in Python), or copy the four MNIST "
               f"files there, or set ${DATA_ENV} to another folder that holds them")
    else:
        fix = (f"run `annteach fetch-mnist`, which downloads them into "
               f"{mnist_cache_folder()}, or set ${DATA_ENV} to a folder that holds the four "
               "MNIST files (or pass path=)")
    raise FileNotFoundError(f"MNIST {split} files not found in {'; nor in '.join(looked)}. "
                            f"To fix: {fix}.")


def load_mnist(split="train", path=None, *, verify=True):
    """Load the MNIST training or test set.

    Each file is looked for as ``<name>.gz``, then as the decompressed
    ``<name>``. Repeated calls are cheap: the arrays are cached in memory (and
    re-read if a file changes); each call returns fresh copies.

    Parameters
    ----------
    split : {"train", "test"}
        The 60,000 training or the 10,000 test digits.
    path : str or os.PathLike, optional
        Folder holding the files. Default: ``$ANNTEACH_DATA`` if set, else the
        clone's ``data/mnist/``, else :func:`mnist_cache_folder` (see :func:`mnist_files`).
    verify : bool, default True
        Check the SHA-256 of each file's decompressed content against
        ``MNIST_SHA256``. Pass False to load other data stored the same way.

    Returns
    -------
    images : ndarray of uint8, shape (N, 28, 28)
        Grey values 0 (background) to 255 (ink); N = 60000 or 10000.
    labels : ndarray of uint8, shape (N,)
        The digit 0-9 shown by each image.

    Raises
    ------
    ValueError
        For an unknown split, a file that is not valid IDX, a checksum
        mismatch, or images and labels that do not match in shape or count.
    FileNotFoundError
        If a file is missing; the message says where it looked and how to fix it.
    """
    images_path, labels_path = mnist_files(split, path)
    images, labels = _load_cached(_stat_key(images_path), _stat_key(labels_path),
                                  MNIST_FILES[split], verify)
    return images.copy(), labels.copy()


def scale(images):
    """Map grey values 0-255 to floats in [0, 1].

    Parameters
    ----------
    images : array_like, shape (...)
        Grey values in [0, 255], e.g. uint8 images of shape (N, 28, 28).

    Returns
    -------
    ndarray of float32, same shape
        ``images / 255``, a new array.

    Raises
    ------
    ValueError
        If the input is not numeric or holds values outside [0, 255].
    """
    images = np.asarray(images)
    if images.dtype.kind not in "uif":
        raise ValueError(f"scale needs numeric grey values, got dtype {images.dtype}")
    if images.dtype != np.uint8 and images.size and not (
        np.all(images >= 0) and np.all(images <= 255)
    ):
        raise ValueError("scale needs grey values in [0, 255]")
    return images.astype(np.float32) / np.float32(255)


def has_valid_copy(folder, name):
    """True if ``folder`` already holds a copy of the MNIST file ``name`` with the right checksum.

    ``name`` is a key of :data:`MNIST_SHA256` (no ``.gz`` suffix).
    """
    path = _find(folder, name)
    if path is None:
        return False
    try:
        read_verified(path, name)
    except ValueError:
        return False
    return True
