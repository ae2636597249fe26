"""An opt-in speed-up for large numpy workloads: keep freed memory for reuse (glibc only).

Every batch of the CNN allocates a few large temporary arrays (the im2col patch
matrices, tens of MB). glibc's allocator hands such blocks back to the operating
system when they are freed, so the next batch page-faults them in again, which
made inference about twice as slow on the development machine.
:func:`reuse_freed_memory` raises glibc's trim and mmap thresholds so that freed
memory stays with the process instead.

This changes the allocator of the whole process, so the package never calls it
by itself: ``python -m annteach train-cnn`` and the benchmarks do, and you may in
a notebook or script that trains or evaluates the CNN on many images.
"""

import ctypes
import sys

__all__ = ["reuse_freed_memory"]

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters, from glibc's malloc.h


def reuse_freed_memory(limit=256 << 20):
    """Let glibc keep up to ``limit`` bytes of freed memory for reuse (process-wide).

    Sets glibc's ``M_TRIM_THRESHOLD`` and ``M_MMAP_THRESHOLD`` (``mallopt``) to
    ``limit``: blocks up to that size come from the heap, and the heap is not
    trimmed until that much is free at its top. Calling it again with the same
    limit changes nothing.

    Parameters
    ----------
    limit : int, optional
        Bytes (default 256 MB).

    Returns
    -------
    bool
        True if the thresholds were set; False where there is no glibc (macOS,
        Windows, musl-based Linux), where it does nothing.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    trimmed = mallopt(_M_TRIM_THRESHOLD, int(limit))
    mapped = mallopt(_M_MMAP_THRESHOLD, int(limit))
    return bool(trimmed and mapped)
