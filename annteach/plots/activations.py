"""Plots of activation functions and their derivatives."""

import matplotlib.pyplot as plt
import numpy as np

from ..activations import get_activation
from ._axes import get_ax

__all__ = ["plot_activation", "plot_activation_grid"]

_DEFAULT_A = np.linspace(-5, 5, 401)


def plot_activation(name, a=None, derivative=False, ax=None, color="C0"):
    """Plot one activation ``g(a)`` or its derivative ``g'(a)``.

    The derivative is evaluated from the output, ``g_derivative(g(a))``, as
    the network does during backpropagation.

    Parameters
    ----------
    name : str
        A key of :data:`annteach.ACTIVATIONS` (``"identity"``, ``"tanh"``,
        ``"logistic"``, ``"relu"``).
    a : array_like, shape (K,), optional
        Pre-activations; default 401 points from -5 to 5.
    derivative : bool, optional
        Plot ``g'(a)`` instead of ``g(a)``.
    ax : matplotlib Axes, optional
        Where to draw; a new (4, 3) figure when None.
    color : str, optional
        Line colour.

    Returns
    -------
    line : Line2D
        Its data are ``a`` (shape (K,)) and the plotted values (shape (K,)).
    """
    g, g_derivative = get_activation(name)
    a = _DEFAULT_A if a is None else np.asarray(a, dtype=np.float64)
    y = g(a)
    values = g_derivative(y) if derivative else y
    ax = get_ax(ax, (4, 3))
    ax.axhline(0, color="0.8", lw=0.8, zorder=0)
    ax.axvline(0, color="0.8", lw=0.8, zorder=0)
    (line,) = ax.plot(a, values, color=color, lw=2)
    ax.set_xlabel("$a$")
    ax.set_title(f"{name}'" if derivative else name)
    return line


def plot_activation_grid(names=("identity", "tanh", "logistic", "relu"), a=None, fig=None):
    """The lecture's grid: each activation on top, its derivative below.

    Parameters
    ----------
    names : sequence of str, length M
        Activations to show, one per column.
    a : array_like, shape (K,), optional
        Pre-activations; default 401 points from -5 to 5.
    fig : matplotlib Figure, optional
        Figure to draw into; a new (9, 3.6) figure when None.

    Returns
    -------
    axes : ndarray of Axes, shape (2, M)
        ``axes[0, j]`` shows ``g(a)`` and ``axes[1, j]`` its derivative
        ``g'(a)`` for ``names[j]``.
    """
    if fig is None:
        fig = plt.figure(figsize=(9, 3.6))
    axes = fig.subplots(2, len(names), sharex=True, squeeze=False)
    for j, name in enumerate(names):
        plot_activation(name, a, ax=axes[0, j], color=f"C{j}")
        plot_activation(name, a, derivative=True, ax=axes[1, j], color=f"C{j}")
        axes[0, j].set_xlabel("")
        axes[1, j].set_title("")
    axes[0, 0].set_ylabel("$g(a)$")
    axes[1, 0].set_ylabel("$g'(a)$")
    fig.tight_layout()
    return axes
