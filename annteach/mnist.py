"""The MNIST handwritten digits: finding, loading, scaling and (when missing) downloading.

The four IDX files ship with the clone of the course in ``data/mnist/``, but not with
the installed package. :func:`mnist_files` looks for them, in this order, in

1. the folder it is given (``path``), else
2. the folder named by ``$ANNTEACH_DATA``, else
3. the clone's ``data/mnist/`` (when the package runs from a clone), then
4. the per-user cache folder :func:`mnist_cache_folder`, where ``annteach fetch-mnist``
   (:func:`fetch_mnist`) puts a downloaded copy,

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

__all__ = ["MNIST_FILES", "MNIST_MIRRORS", "MNIST_SHA256", "MNIST_SIZES", "fetch_mnist",
           "load_mnist", "mnist_cache_folder", "mnist_files", "scale"]

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

#: Public mirrors serving ``<name>.gz``, tried in this order by :func:`fetch_mnist`.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

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


def _read_verified(path, name, verify=True):
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
    images = _read_verified(images_path, names[0], verify)
    labels = _read_verified(labels_path, names[1], verify)
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


def _valid_copy(folder, name):
    """True if ``folder`` already holds a copy of ``name`` with the right checksum."""
    path = _find(folder, name)
    if path is None:
        return False
    try:
        _read_verified(path, name)
    except ValueError:
        return False
    return True


def _download_limit(name):
    """Most bytes a copy of ``<name>.gz`` can take.

    Gzip stores even incompressible data in under 0.1 % more than its size plus a
    short header, so a longer body is not that file.
    """
    size = MNIST_SIZES[name]
    return size + size // 1000 + 1024


def _lock(fd):
    """Take the exclusive lock of an open file without waiting; False if that is not possible.

    Where there is no ``fcntl`` (Windows) this returns True: a file open in another
    process cannot be removed there, which protects it instead.
    """
    try:
        import fcntl
    except ImportError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # held by a running download, or no locks on this file system
        return False
    return True


def _remove_stale_parts(folder):
    """Remove the partial downloads in ``folder`` that no running download holds.

    A download holds the lock of its ``.<name>.gz.<random>.part`` file until it is
    done; a run that was killed leaves its file unlocked.
    """
    import contextlib
    import re
    import stat

    for path in folder.glob(".*.gz.*.part"):
        match = re.fullmatch(r"\.(.+)\.gz\.[0-9a-f]{12}\.part", path.name)
        if match is None or match[1] not in MNIST_SHA256:
            continue
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(path, flags)
        except OSError:  # gone meanwhile, a link or unreadable: not ours to remove
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode) and _lock(fd):
                with contextlib.suppress(PermissionError):  # Windows: still open elsewhere
                    path.unlink(missing_ok=True)
        finally:
            os.close(fd)


def _fetch_file(url, folder, name, *, timeout, deadline, progress):
    """Download ``url`` to ``folder/<name>.gz`` through a locked partial file, verified."""
    import secrets

    while True:
        part = folder / f".{name}.gz.{secrets.token_hex(6)}.part"
        target = open(part, "xb")  # closed below, before the rename
        _lock(target.fileno())
        if os.fstat(target.fileno()).st_nlink:
            break
        target.close()  # removed by another run's clean-up before it was locked: a new one
    try:
        with target:
            _download(url, target, name, timeout=timeout, deadline=deadline, progress=progress)
            target.flush()
            _read_verified(part, name)
        os.replace(part, folder / f"{name}.gz")
    finally:
        part.unlink(missing_ok=True)


def _download(url, target, name, *, timeout, deadline, progress):
    """Copy ``url`` into ``target`` (an open binary file), within ``deadline`` seconds.

    The copy runs in a worker thread, so the deadline holds whatever the server
    does (a byte now and then restarts a per-read timeout, even while the
    headers arrive). At the deadline the worker is told to stop: it writes
    nothing more and ends at its next read, or after ``timeout`` at the latest
    once the server goes quiet.
    """
    import threading

    stop = threading.Event()
    failure = []

    def work():
        try:
            _copy(url, target, name, timeout=min(timeout, deadline), stop=stop,
                  progress=progress)
        except BaseException as exc:  # raised again in the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=work, name=f"download {name}", daemon=True)
    worker.start()
    try:
        worker.join(deadline)
    finally:
        stop.set()
    if worker.is_alive():
        raise TimeoutError(f"gave up after {deadline} s, the deadline for one file")
    if failure:
        raise failure[0]


def _copy(url, target, name, *, timeout, stop, progress):
    """Copy the body at ``url`` into ``target``, at most ``_download_limit(name)`` bytes."""
    from urllib.request import urlopen

    from tqdm.auto import tqdm

    limit = _download_limit(name)
    with urlopen(url, timeout=timeout) as response:
        announced = response.headers.get("Content-Length", "").strip()
        total = int(announced) if announced.isdecimal() else None
        if total is not None and total > limit:
            raise OSError(
                f"the server announces {total} bytes, more than {name}.gz can take "
                f"(at most {limit} bytes)"
            )
        got = 0
        with tqdm(total=total, unit="B", unit_scale=True, desc=name,
                  disable=not progress) as bar:
            while not stop.is_set():
                chunk = response.read1(min(1 << 16, limit + 1 - got))
                if not chunk:
                    break
                got += len(chunk)
                if got > limit:
                    raise OSError(
                        f"the server sent more than {limit} bytes, more than {name}.gz can "
                        f"take; stopped there"
                    )
                target.write(chunk)
                bar.update(len(chunk))
    if not stop.is_set() and total is not None and got < total:
        raise OSError(f"the connection closed after {got} of the {total} bytes announced")


def fetch_mnist(dest=None, base_urls=None, progress=True, *, files=None, timeout=30,
                deadline=600):
    """Download the MNIST files into a folder, verifying each one.

    Every file goes to a temporary file in ``dest`` first and gets its final
    name only once the SHA-256 of its decompressed content matches, so a
    failed or interrupted download leaves nothing behind; the partial files of
    a run that was killed are removed by the next one. Files already present
    and valid are skipped. On failure the next mirror is tried.

    What a mirror can cost is bounded: a body longer than the file can be
    (``MNIST_SIZES`` plus gzip's overhead) is cut off there, and a file that
    is not complete after ``deadline`` seconds is given up, however slowly
    the server keeps sending.

    Parameters
    ----------
    dest : str or os.PathLike, optional
        Folder to put ``<name>.gz`` into (created if needed). Default:
        :func:`mnist_cache_folder`, where :func:`load_mnist` finds them by
        itself; for another folder, pass it to :func:`load_mnist` as ``path``
        or set ``$ANNTEACH_DATA`` to it.
    base_urls : str or sequence of str, optional
        Base URL (or URLs, tried in order) that serve ``<name>.gz``; default
        ``MNIST_MIRRORS``.
    progress : bool, default True
        Show a tqdm progress bar per file.
    files : str or iterable of str, optional
        Which of the four names (keys of ``MNIST_SHA256``, with or without
        ``.gz``) to fetch; default all four.
    timeout : float, default 30
        Seconds to wait for a server to connect or send the next bytes.
    deadline : float, default 600
        Seconds one file may take from one mirror, all told.

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    ValueError
        For an unknown file name, or a timeout or deadline that is not a
        positive number of seconds.
    OSError
        If a file could not be obtained from any mirror; the message lists
        what went wrong and what to do instead.
    """
    import math
    from http.client import HTTPException

    dest = mnist_cache_folder() if dest is None else Path(dest)
    if isinstance(files, str):
        files = [files]
    names = list(MNIST_SHA256) if files is None else [f.removesuffix(".gz") for f in files]
    unknown = [n for n in names if n not in MNIST_SHA256]
    if unknown:
        raise ValueError(f"unknown MNIST file(s) {unknown}; choose from {list(MNIST_SHA256)}")
    for label, seconds in (("timeout", timeout), ("deadline", deadline)):
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not (
            0 < seconds < math.inf
        ):
            raise ValueError(f"{label} must be a positive number of seconds, got {seconds!r}")
    if isinstance(base_urls, str):
        base_urls = [base_urls]
    bases = list(MNIST_MIRRORS if base_urls is None else base_urls)
    dest.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(dest)
    for name in names:
        if _valid_copy(dest, name):
            continue
        errors = []
        for base in bases:
            url = f"{base.rstrip('/')}/{name}.gz"
            try:
                _fetch_file(url, dest, name, timeout=timeout, deadline=deadline,
                            progress=progress)
                break
            except (OSError, HTTPException, ValueError) as exc:
                errors.append(f"{url}: {exc}")
        else:
            tried = "\n  ".join(errors) or "(no mirrors given)"
            raise OSError(
                f"could not download {name}.gz from any mirror:\n  {tried}\n"
                f"If you are offline, copy the four MNIST files ({', '.join(MNIST_SHA256)}, "
                f"each .gz or decompressed) into {dest} from another copy of the course, "
                f"or set ${DATA_ENV} to a folder that holds them."
            )
    return dest
