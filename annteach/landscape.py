"""Where descent stops or crawls on the XOR error surface.

- :func:`grid_local_minima`: the strict local minima of a gridded function
  (1-D slice or 2-D surface), interior points only;
- :func:`line_minimum`: the minimum of the XOR error along a line
  ``b = a + offset`` of two weights, and the surface's gradient there;
- :func:`first_epoch_below`: when a curve (error per epoch) first drops below a level;
- :func:`descent_comparison`: batch against stochastic descent on two weights,
  from several starting points and several sample orders.

The error is :func:`annteach.xor_error`, ``E = sum_n (y_n - t_n)**2`` over the
four samples (no 1/2, no mean), as on lecture 2's surfaces. numpy only.
"""

import itertools

import numpy as np

from .surfaces import _check_names, descent_paths, xor_error_gradient
from .xor import xor_error

__all__ = ["descent_comparison", "first_epoch_below", "grid_local_minima", "line_minimum"]


def grid_local_minima(E):
    """Indices of the strict local minima of a gridded function, interior points only.

    A grid point is a strict local minimum when its value is smaller than
    that of every neighbour: 2 neighbours in 1-D, 8 (including the diagonals)
    in 2-D, ``3**d - 1`` in ``d`` dimensions. Points on the border of the
    grid have neighbours outside it and are never reported.

    Parameters
    ----------
    E : array_like, shape (K,) or (K1, K2) or more axes
        Function values on a regular grid (for example ``E`` of
        :func:`annteach.error_grid`). NaN is never a minimum, and a point
        next to a NaN is not reported either.

    Returns
    -------
    ndarray of int, shape (M, E.ndim)
        One row of indices per minimum (``E[tuple(row)]`` is its value), in
        increasing order; ``M = 0`` when there is none.
    """
    E = np.asarray(E, dtype=np.float64)
    if E.ndim == 0 or min(E.shape) < 3:
        raise ValueError(f"E needs at least 3 points along every axis, got shape {E.shape}")
    inner = tuple(slice(1, n - 1) for n in E.shape)
    centre = E[inner]
    is_min = np.isfinite(centre)
    for shift in itertools.product((-1, 0, 1), repeat=E.ndim):
        if any(shift):
            neighbour = E[tuple(slice(1 + s, n - 1 + s) for s, n in zip(shift, E.shape))]
            is_min &= centre < neighbour
    return np.argwhere(is_min) + 1


def _slope(a, b, offset, w, fixed):
    """dE/dw along the line (a, b) = (w, w + offset): the sum of the two partial derivatives."""
    return float(np.sum(xor_error_gradient(a, b, (w, w + offset), **fixed)))


def line_minimum(a="w5", b="w6", offset=2.0, bracket=(-2.0, -1.5), tol=1e-9, **fixed):
    """The minimum of the XOR error along the line ``b = a + offset``, and the gradient there.

    Along the line ``(a, b) = (w, w + offset)`` the error is a function of
    ``w`` alone; its slope ``dE/dw = dE/da + dE/db`` is found by central
    differences and its zero by bisection inside ``bracket``. At that point
    the gradient of the surface, ``(dE/da, dE/db)``, is perpendicular to the
    line (``dE/da = -dE/db``): it is zero only if the point is a minimum of
    the surface as well.

    Parameters
    ----------
    a, b : str
        The two weights (default lecture 2's ``w5``, ``w6``).
    offset : float
        The line ``b = a + offset`` (default 2, lecture 2's line).
    bracket : (float, float)
        Values of ``a`` that enclose the minimum: the slope must be negative
        at the first and positive at the second. Two neighbours of a grid
        minimum found by :func:`grid_local_minima` do.
    tol : float
        Width of the final bracket.
    **fixed : float
        Values for other weights (the rest keep their defaults).

    Returns
    -------
    point : ndarray of float64, shape (2,)
        ``(a, b)`` at the minimum along the line.
    E : float
        The error there.
    gradient : ndarray of float64, shape (2,)
        ``(dE/da, dE/db)`` of the surface there (central differences).
    """
    _check_names(a, b, fixed)
    lo, hi = (float(v) for v in bracket)
    if not lo < hi:
        raise ValueError(f"bracket must be (low, high) with low < high, got {bracket}")
    if not tol > 0:
        raise ValueError(f"tol must be positive, got {tol}")
    s_lo, s_hi = _slope(a, b, offset, lo, fixed), _slope(a, b, offset, hi, fixed)
    if not (s_lo < 0 < s_hi):
        raise ValueError(f"the bracket {bracket} does not enclose a minimum along the line: "
                         f"the slope is {s_lo:.3g} at {lo} and {s_hi:.3g} at {hi} "
                         "(need negative, then positive)")
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if _slope(a, b, offset, mid, fixed) < 0:
            lo = mid
        else:
            hi = mid
    w = 0.5 * (lo + hi)
    point = np.array([w, w + offset])
    return point, float(xor_error(**{a: point[0], b: point[1]}, **fixed)), \
        xor_error_gradient(a, b, point, **fixed)


def first_epoch_below(values, level):
    """Index of the first entry along the last axis that is below ``level``.

    Parameters
    ----------
    values : array_like, shape (..., K)
        A quantity per epoch, e.g. the error after 0, 1, ..., K - 1 epochs
        (bool counts as 0/1).
    level : float or array_like
        Broadcasts against ``values`` (shape (..., 1) for one level per row).

    Returns
    -------
    ndarray of int, shape (...)
        The first ``k`` with ``values[..., k] < level``; -1 where there is none.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 0:
        raise ValueError("values must have at least one axis (the epochs)")
    below = values < level
    return np.where(below.any(axis=-1), below.argmax(axis=-1), -1)


def descent_comparison(starts, learning_rate=30.0, epochs=300, runs=5, seed=0, drop=0.005,
                       a="w5", b="w6", **fixed):
    """Batch against stochastic descent on two weights: how long until the error drops?

    From every start, one batch descent and ``runs`` stochastic descents
    (each with its own random sample orders) with the same learning rate and
    the same number of epochs (see :func:`annteach.descent_paths`: one epoch is
    one batch update or four single-sample updates). A run *has left* its
    start once the error ``E`` (sum over the four samples) is at least
    ``drop`` below the error at the start.

    Parameters
    ----------
    starts : array_like, shape (R, 2)
        Starting values of ``(a, b)``.
    learning_rate : float
        The same for both (lecture 2 uses 30 on this flat surface).
    epochs : int
    runs : int
        Stochastic runs per start.
    seed : int
        Seed of the sample orders.
    drop : float
        How far ``E`` must fall below its starting value.
    a, b : str
        The two weights that move (default ``w5``, ``w6``).
    **fixed : float
        Values for other weights (the rest keep their defaults).

    Returns
    -------
    dict
        ``"batch_epochs"``: int array (R,), the first epoch after which the
        batch run has left its start, -1 if it never does within ``epochs``;
        ``"stochastic_epochs"``: int array (R, runs), the same per stochastic run;
        ``"batch_E"``, ``"stochastic_E"``: the errors per epoch, shapes
        (R, epochs + 1) and (R, runs, epochs + 1);
        ``"batch_paths"``, ``"stochastic_paths"``: the points per epoch, shapes
        (R, epochs + 1, 2) and (R, runs, epochs + 1, 2).
    """
    starts = np.array(starts, dtype=np.float64, ndmin=2)
    if int(runs) != runs or runs < 1:
        raise ValueError(f"runs must be a positive integer, got {runs}")
    runs = int(runs)
    R = starts.shape[0]
    batch_paths, batch_E = descent_paths(a, b, starts, learning_rate, epochs, **fixed)
    sgd_paths, sgd_E = descent_paths(a, b, np.repeat(starts, runs, axis=0), learning_rate,
                                     epochs, stochastic=True, seed=seed, **fixed)
    sgd_paths = sgd_paths.reshape(R, runs, -1, 2)
    sgd_E = sgd_E.reshape(R, runs, -1)
    return {
        "batch_epochs": first_epoch_below(batch_E, batch_E[:, :1] - drop),
        "stochastic_epochs": first_epoch_below(sgd_E, sgd_E[..., :1] - drop),
        "batch_E": batch_E, "stochastic_E": sgd_E,
        "batch_paths": batch_paths, "stochastic_paths": sgd_paths,
    }
