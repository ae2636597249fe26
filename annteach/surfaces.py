"""The XOR error as a function of two weights: grids, per-sample errors, descent paths.

Everything here is numpy only. The error is :func:`annteach.xor_error`, the
plain sum ``E = sum_n E_n`` over the four XOR samples of ``E_n = (y_n - t_n)**2``
(no factor 1/2, no mean). Two weights, named as in :func:`annteach.xor_net`
(``"w1"`` ... ``"w6"``, ``"b1"`` ... ``"b3"``), vary and the other seven keep
their lecture defaults unless given in ``fixed``.
"""

import numpy as np

from .gradcheck import numerical_gradient
from .xor import check_weight_names, xor_dataset, xor_error, xor_net

__all__ = [
    "ERROR_GRID",
    "descent_paths",
    "error_grid",
    "gradient_descent_path",
    "xor_error_gradient",
    "xor_sample_errors",
]

#: The lecture's weight grid for error surfaces, ``np.arange(-10, 10, 0.25)``:
#: 80 values from -10 to 9.75 (``arange`` stops before 10).
ERROR_GRID = np.arange(-10.0, 10.0, 0.25)
ERROR_GRID.flags.writeable = False


def _check_names(a, b, fixed):
    """Raise ValueError unless ``a``, ``b`` are two different weight names not in ``fixed``."""
    check_weight_names((a, b, *fixed))
    if a == b:
        raise ValueError(f"the two weights must differ, got {a!r} twice")
    clash = {a, b} & set(fixed)
    if clash:
        raise ValueError(f"weights {sorted(clash)} are both varied and fixed")


def error_grid(a="w5", b="w6", values=None, **fixed):
    """XOR error on a square grid of two weights.

    Parameters
    ----------
    a, b : str
        Names of the two weights that vary (``a`` along the columns / x axis,
        ``b`` along the rows / y axis).
    values : array_like, shape (K,), optional
        Grid values used for both weights; default :data:`ERROR_GRID`.
    **fixed : float
        Values for other weights (the rest keep :data:`annteach.XOR_WEIGHTS`).

    Returns
    -------
    A, B : ndarray, shape (K, K)
        ``numpy.meshgrid(values, values)``: ``A[i, j] = values[j]``,
        ``B[i, j] = values[i]``.
    E : ndarray, shape (K, K)
        ``E[i, j] = xor_error(a=A[i, j], b=B[i, j], **fixed)``.
    """
    _check_names(a, b, fixed)
    values = ERROR_GRID if values is None else np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or values.size < 2:
        raise ValueError(f"values must be 1-D with at least 2 entries, got shape {values.shape}")
    A, B = np.meshgrid(values, values)
    E = xor_error(**{a: A, b: B}, **fixed)
    return A, B, E


def xor_sample_errors(**weights):
    """Squared error of each of the four XOR samples separately.

    Parameters
    ----------
    **weights : array_like
        Any weights of :func:`annteach.xor_net`; they broadcast to a shape S.

    Returns
    -------
    errors : ndarray, shape (4, *S)
        ``errors[n] = E_n = (y_n - t_n)**2`` (no factor 1/2) with
        ``y_n = xor_net(x_n, **weights)``, for the samples of
        :func:`annteach.xor_dataset` in that order; they sum to ``xor_error``.
    """
    check_weight_names(weights)
    X, T = xor_dataset()
    return np.stack([(xor_net(x1, x2, **weights) - t) ** 2
                     for (x1, x2), t in zip(X, T, strict=True)])


def xor_error_gradient(a, b, point, eps=1e-5, **fixed):
    """Gradient of the XOR error with respect to two weights, by central differences.

    Parameters
    ----------
    a, b : str
        Names of the two weights.
    point : array_like, shape (2,)
        Values of ``(a, b)`` at which to differentiate.
    eps : float, optional
        Step of the central differences (see :func:`annteach.numerical_gradient`).
    **fixed : float
        Values for other weights (the rest keep their defaults).

    Returns
    -------
    grad : ndarray of float64, shape (2,)
        ``(dE/da, dE/db)``.
    """
    _check_names(a, b, fixed)
    point = np.asarray(point, dtype=np.float64)
    if point.shape != (2,):
        raise ValueError(f"point must have shape (2,), got {point.shape}")
    return numerical_gradient(lambda p: xor_error(**{a: p[0], b: p[1]}, **fixed), point, eps)


def gradient_descent_path(a="w5", b="w6", start=(-6.0, 6.0), learning_rate=1.0, steps=200,
                          **fixed):
    """Batch gradient descent on the XOR error over two weights.

    ``p_{t+1} = p_t - learning_rate * dE/dp (p_t)`` with ``p = (a, b)``, the
    other weights fixed.

    Parameters
    ----------
    a, b : str
        Names of the two weights that move.
    start : array_like, shape (2,)
        Starting values of ``(a, b)``.
    learning_rate : float
        Step size (positive).
    steps : int
        Number of updates (non-negative).
    **fixed : float
        Values for other weights (the rest keep their defaults).

    Returns
    -------
    path : ndarray of float64, shape (steps + 1, 2)
        The points visited, ``path[0] == start``.
    E : ndarray of float64, shape (steps + 1,)
        The error at each point.
    """
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps}")
    path = np.empty((int(steps) + 1, 2))
    path[0] = np.asarray(start, dtype=np.float64)
    for t in range(int(steps)):
        path[t + 1] = path[t] - learning_rate * xor_error_gradient(a, b, path[t], **fixed)
    E = xor_error(**{a: path[:, 0], b: path[:, 1]}, **fixed)
    return path, E


def _errors_at(a, b, P, samples, fixed):
    """``E`` (``samples`` None) or ``E_n`` of sample ``samples[r]`` at each point ``P[r]``."""
    weights = {a: P[:, 0], b: P[:, 1], **fixed}
    if samples is None:
        return xor_error(**weights)
    X, T = xor_dataset()
    return (xor_net(X[samples, 0], X[samples, 1], **weights) - T[samples]) ** 2


def _gradients_at(a, b, P, samples, eps, fixed):
    """Central differences of :func:`_errors_at` at every row of ``P``, shape (R, 2)."""
    G = np.empty_like(P)
    for i in range(2):
        up, down = P.copy(), P.copy()
        up[:, i] = P[:, i] + eps
        down[:, i] = P[:, i] - eps
        G[:, i] = (_errors_at(a, b, up, samples, fixed)
                   - _errors_at(a, b, down, samples, fixed)) / (2 * eps)
    return G


def descent_paths(a="w5", b="w6", starts=((-6.0, 6.0),), learning_rate=1.0, epochs=100,
                  stochastic=False, seed=0, eps=1e-5, **fixed):
    """Batch or stochastic gradient descent on two weights, from several starts at once.

    Both use the same learning rate ``eta`` and see every sample once per epoch:

    * batch: one update per epoch, ``p <- p - eta * dE/dp`` with
      ``E = sum_n E_n`` (:func:`annteach.xor_error`);
    * stochastic: four updates per epoch, ``p <- p - eta * dE_n/dp``, one per
      sample ``n`` in a random order drawn afresh for every run and epoch.

    Gradients are central differences, as in :func:`xor_error_gradient`.

    Parameters
    ----------
    a, b : str
        Names of the two weights that move.
    starts : array_like, shape (R, 2)
        Starting values of ``(a, b)``, one row per run.
    learning_rate : float
        ``eta`` (positive).
    epochs : int
        Number of passes over the four samples (non-negative).
    stochastic : bool
        Stochastic (one sample per update) instead of batch descent.
    seed : int or numpy.random.Generator
        Source of the sample orders (stochastic descent only).
    eps : float
        Step of the central differences.
    **fixed : float
        Values for other weights (the rest keep their defaults).

    Returns
    -------
    paths : ndarray of float64, shape (R, epochs + 1, 2)
        ``paths[r, e]``: the point of run ``r`` after ``e`` epochs.
    E : ndarray of float64, shape (R, epochs + 1)
        The error ``E`` (sum over the four samples) at those points.
    """
    _check_names(a, b, fixed)
    starts = np.array(starts, dtype=np.float64, ndmin=2)
    if starts.ndim != 2 or starts.shape[1] != 2:
        raise ValueError(f"starts must have shape (R, 2), got {starts.shape}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate}")
    if int(epochs) != epochs or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs}")
    rng = np.random.default_rng(seed)
    R, epochs = starts.shape[0], int(epochs)
    paths = np.empty((R, epochs + 1, 2))
    paths[:, 0] = P = starts
    for e in range(epochs):
        if stochastic:
            for samples in rng.permuted(np.tile(np.arange(4), (R, 1)), axis=1).T:
                P = P - learning_rate * _gradients_at(a, b, P, samples, eps, fixed)
        else:
            P = P - learning_rate * _gradients_at(a, b, P, None, eps, fixed)
        paths[:, e + 1] = P
    E = xor_error(**{a: paths[..., 0], b: paths[..., 1]}, **fixed)
    return paths, E
