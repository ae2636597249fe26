"""Comparing models: test errors against the number of parameters, in one picture."""

import numpy as np

from ._axes import get_ax
from .alt import describe_axes_default
from .colors import INK, OKABE_ITO
from .style import FIGSIZE, FONT_PT

__all__ = ["plot_errors_vs_params"]


def plot_errors_vs_params(names, errors, n_params, n_test=None, ax=None):
    """Each model as a labelled point: parameters across (log scale), test errors up.

    Parameters
    ----------
    names : sequence of str, length M
        Model names, written next to their points.
    errors : array_like of int, shape (M,)
        Test errors of each model.
    n_params : array_like of int, shape (M,)
        Number of trainable parameters of each model.
    n_test : int, optional
        Size of the test set, named on the error axis.
    ax : matplotlib Axes, optional
        Where to draw; a new course-sized wide figure when None.

    Returns
    -------
    points : matplotlib PathCollection
        Offsets ``(n_params[m], errors[m])``.
    """
    errors, n_params = np.asarray(errors), np.asarray(n_params)
    if not len(names) == errors.shape[0] == n_params.shape[0] or errors.ndim != 1:
        raise ValueError(f"need one error count and one parameter count per name, got "
                         f"{len(names)} names, errors {errors.shape}, n_params {n_params.shape}")
    if np.any(n_params <= 0) or np.any(errors < 0):
        raise ValueError("parameter counts must be positive and error counts non-negative")
    ax = get_ax(ax, FIGSIZE["wide"])
    points = ax.scatter(n_params, errors, s=160, color=OKABE_ITO["blue"], edgecolors=INK,
                        zorder=3)
    for name, p, e in zip(names, n_params, errors):
        # to the right of its point, centred on it: a label never covers a point up and to
        # the right of its own (as "above right" did when two models have similar sizes)
        ax.annotate(f"{name}\n{e:,} errors, {p:,} parameters", (p, e), xytext=(14, 0),
                    textcoords="offset points", fontsize=FONT_PT["annotation"], va="center")
    ax.set_xscale("log")
    ax.set_xlim(n_params.min() / 3, n_params.max() * 8)
    ax.set_ylim(-0.12 * errors.max(), errors.max() * 1.35)   # room for a label near 0
    ax.set_xlabel("trainable parameters (log scale)")
    ax.set_ylabel("test errors" + (f" (of {n_test:,})" if n_test else ""))
    describe_axes_default(ax, "Test errors against the number of parameters: " + "; ".join(
        f"{name} {e:,} errors with {p:,} parameters"
        for name, p, e in zip(names, n_params, errors)) + ".")
    return points
