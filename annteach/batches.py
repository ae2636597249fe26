"""Running a model over many samples in batches, several batches at once on several cores."""

import os

import numpy as np

__all__ = ["map_batches"]


def map_batches(function, X, out_shape, dtype, batch_size=250, workers=None):
    """``function`` applied to ``X`` batch by batch, the results stacked.

    Several batches run at the same time, each in its own thread with a
    single-threaded BLAS: numpy releases the GIL in its copies and products,
    and one batch per core beats splitting each small product over the cores.

    Parameters
    ----------
    function : callable
        Maps a batch ``X[a:b]`` to an array of shape ``(b - a, *out_shape)``.
        It must not change shared state (it runs in several threads).
    X : ndarray, shape (N, ...)
    out_shape : tuple of int
        Shape of one sample's result.
    dtype : dtype
        Of the result.
    batch_size : int, optional
        Samples per call (bounds the memory used).
    workers : int, optional
        Batches computed at the same time; default one per core (at most the
        number of batches). The results do not depend on it.

    Returns
    -------
    ndarray, shape (N, *out_shape)
    """
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    batch_size = int(batch_size)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    out = np.empty((len(X), *out_shape), dtype=dtype)

    def fill(start):
        out[start:start + batch_size] = function(X[start:start + batch_size])

    starts = range(0, len(X), batch_size)
    workers = min(len(starts), os.cpu_count() or 1) if workers is None else int(workers)
    if workers <= 1:
        for start in starts:
            fill(start)
        return out
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        list(pool.map(fill, starts))
    return out
