"""Downloading MNIST into a folder: :func:`fetch_mnist` (``annteach fetch-mnist``).

Each file is fetched from the first mirror that serves it, read no further than the
file's known size, within a deadline, into a locked partial file that is renamed into
place only when its decompressed content has the right SHA-256. Partial files left by
killed runs are removed. Finding and loading the files is :mod:`annteach.mnist`.
"""

import os
from pathlib import Path

from .mnist import (
    DATA_ENV,
    MNIST_SHA256,
    MNIST_SIZES,
    has_valid_copy,
    mnist_cache_folder,
    read_verified,
)

__all__ = ["MNIST_MIRRORS", "fetch_mnist"]

#: Public mirrors serving ``<name>.gz``, tried in this order by :func:`fetch_mnist`.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)


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
            read_verified(part, name)
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
        if has_valid_copy(dest, name):
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
