"""Plots of activation functions and their derivatives."""

import matplotlib.pyplot as plt
import numpy as np

from ..activations import get_activation
from ._axes import get_ax
from .alt import describe, describe_axes_default
from .style import FIGSIZE

__all__ = ["broken_at_jump", "plot_activation", "plot_activation_grid"]

_DEFAULT_A = np.linspace(-5, 5, 401)

# Where g'(a) jumps: the plotted derivative is broken there instead of joined by a
# vertical segment that would suggest values between the two sides.
_DERIVATIVE_JUMPS = {"relu": 0.0}


def plot_activation(name, a=None, derivative=False, ax=None, color="C0"):
    """Plot one activation ``g(a)`` or its derivative ``g'(a)``.

    The derivative is evaluated from the output, ``g_derivative(g(a))``, as
    the network does during backpropagation. Where it jumps (ReLU at
    ``a = 0``) the line is drawn as two pieces: the left one ends at the
    last ``a <= 0``, the right one starts at the first ``a > 0``.

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
        Where to draw; a new course-sized square figure when None.
    color : str, optional
        Line colour.

    Returns
    -------
    line : Line2D
        Its data are ``a`` (shape (K,)) and the plotted values (shape (K,));
        a broken derivative has one more point, ``(jump, nan)``, between the
        pieces.
    """
    g, g_derivative = get_activation(name)
    a = _DEFAULT_A if a is None else np.asarray(a, dtype=np.float64)
    y = g(a)
    values = g_derivative(y) if derivative else y
    ax = get_ax(ax, FIGSIZE["square"])
    ax.axhline(0, color="0.8", lw=0.8, zorder=0)
    ax.axvline(0, color="0.8", lw=0.8, zorder=0)
    (line,) = ax.plot(*broken_at_jump(name, a, values, derivative), color=color, lw=2.5)
    ax.set_xlabel("$a$")
    ax.set_ylabel("$g'(a)$" if derivative else "$g(a)$")
    ax.set_title(f"{name}'" if derivative else name)
    describe_axes_default(ax, _summary(name, a, values, derivative))
    return line


def broken_at_jump(name, a, values, derivative=True):
    """The points of a curve of ``g`` or ``g'``, broken where ``g'`` jumps (ReLU at 0).

    Parameters
    ----------
    name : str
        The activation's name in the registry.
    a : ndarray, shape (K,)
        Increasing pre-activations.
    values : ndarray, shape (K,)
        ``g(a)`` or ``g'(a)``.
    derivative : bool, optional
        Whether ``values`` is the derivative (only a derivative is broken).

    Returns
    -------
    xs, ys : ndarray, shape (K,) or (K + 1,)
        ``a`` and ``values``, with the point ``(jump, nan)`` inserted before the
        first ``a > jump`` when the derivative jumps inside ``a``: matplotlib
        draws two pieces instead of a vertical segment. New arrays; the inputs
        are not modified.
    """
    a, values = np.asarray(a), np.asarray(values)
    jump = _DERIVATIVE_JUMPS.get(name) if derivative else None
    if jump is None or not a[0] <= jump < a[-1]:
        return a.copy(), values.copy()
    k = int(np.searchsorted(a, jump, side="right"))   # first a > jump
    return np.insert(a, k, jump), np.insert(values, k, np.nan)


def _summary(name, a, values, derivative):
    """'The logistic activation g(a) for a from -5 to 5: ...' (ends, value at 0, maximum)."""
    what = f"derivative g'(a) of the {name} activation" if derivative else \
        f"{name} activation g(a)"
    text = (f"Graph of the {what} for a from {a[0]:g} to {a[-1]:g}: it goes from "
            f"{values[0]:.2g} to {values[-1]:.2g}")
    k = int(np.argmax(values))
    if derivative:
        text += f", largest ({values[k]:.2g}) at a = {a[k]:.2g}"
    elif a[0] < 0 < a[-1]:
        text += f", {np.interp(0.0, a, values):.2g} at a = 0"
    return text + "."


def plot_activation_grid(names=("identity", "tanh", "logistic", "relu"), a=None, fig=None):
    """The lecture's grid: each activation on top, its derivative below.

    Parameters
    ----------
    names : sequence of str, length M
        Activations to show, one per column.
    a : array_like, shape (K,), optional
        Pre-activations; default 401 points from -5 to 5.
    fig : matplotlib Figure, optional
        Figure to draw into; a new course-sized wide figure when None.

    Returns
    -------
    axes : ndarray of Axes, shape (2, M)
        ``axes[0, j]`` shows ``g(a)`` and ``axes[1, j]`` its derivative
        ``g'(a)`` for ``names[j]``. The derivatives share one y-axis, so
        their heights can be compared (tanh' peaks at 1, logistic' at 1/4).
    """
    if fig is None:
        fig = plt.figure(figsize=FIGSIZE["wide"], layout="constrained")
    axes = fig.subplots(2, len(names), sharex=True, squeeze=False)
    for ax in axes[1, 1:]:
        ax.sharey(axes[1, 0])
    for j, name in enumerate(names):
        plot_activation(name, a, ax=axes[0, j], color=f"C{j}")
        plot_activation(name, a, derivative=True, ax=axes[1, j], color=f"C{j}")
        axes[0, j].set_xlabel("")
        axes[1, j].set_title("")
        if j:
            axes[0, j].set_ylabel("")
            axes[1, j].set_ylabel("")
    slopes = ", ".join(f"{name} {np.nanmax(line.get_ydata()):.2g}"
                       for name, line in zip(names, (ax.lines[-1] for ax in axes[1])))
    describe(fig, f"{len(names)} activation functions side by side ({', '.join(names)}), "
             "each g(a) on top and its derivative g'(a), computed from the output, below; "
             f"the largest slopes are {slopes}.")
    return axes
