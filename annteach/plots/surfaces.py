"""Plots of the XOR error over two weights: 3-D surface, contours, per-sample errors."""

import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ._axes import get_ax
from .alt import describe_axes_default
from .colors import INK, SAMPLE_COLORS, SAMPLE_LINESTYLES, SEQUENTIAL_CMAP
from .style import FIGSIZE
from .xor import weight_label

# Colours of descent paths drawn on a viridis map (outlined in black).
_PATH_COLORS = ("#FFFFFF", SAMPLE_COLORS[0], SAMPLE_COLORS[3])


def _grid_summary(A, B, E, names):
    i = np.unravel_index(np.argmin(E), E.shape)
    return (f"E over {names[0]} and {names[1]} (each from {A.min():g} to {A.max():g}): "
            f"E ranges from {E.min():.3g} to {E.max():.3g}, lowest at ({names[0]}, "
            f"{names[1]}) = ({A[i]:.3g}, {B[i]:.3g})")

__all__ = ["plot_error_contour", "plot_error_surface", "plot_sample_errors"]


def plot_error_surface(A, B, E, names=("w5", "w6"), ax=None, cmap=SEQUENTIAL_CMAP, zlim=None,
                       floor=True):
    """3-D surface of an error over a grid of two weights.

    Parameters
    ----------
    A, B, E : ndarray, shape (K, L)
        Grid of the first weight, of the second weight, and the error there
        (as returned by :func:`annteach.error_grid`).
    names : (str, str), optional
        Weight names for the axis labels (``"w5"`` is shown as $w_5$).
    ax : mpl_toolkits.mplot3d Axes3D, optional
        Where to draw; a new course-sized wide figure with 3-D axes when None.
    cmap : str, optional
        Colour map.
    zlim : (float, float), optional
        Limits of the E axis; give panels that are compared the same limits.
    floor : bool, optional
        Draw the contour lines on the floor of the box, and say in the title how small
        the range of E is (a ripple of a few per cent otherwise looks like mountains).

    Returns
    -------
    surface : Poly3DCollection
        The surface; ``surface.axes`` is the 3-D axes.
    """
    A, B, E = (np.asarray(v) for v in (A, B, E))
    if not A.shape == B.shape == E.shape or A.ndim != 2:
        raise ValueError(f"A, B, E must be 2-D of one shape, got {A.shape}, {B.shape}, {E.shape}")
    if ax is None:
        fig = plt.figure(figsize=FIGSIZE["wide"])
        ax = fig.add_subplot(projection="3d")
    low, high = (float(E.min()), float(E.max())) if zlim is None else map(float, zlim)
    span = max(high - low, 1e-12)
    bottom = low - 0.3 * span if floor else low
    surface = ax.plot_surface(A, B, E, cmap=cmap, rstride=1, cstride=1, linewidth=0,
                              antialiased=False, vmin=low, vmax=high)
    if floor:
        ax.contour(A, B, E, levels=10, zdir="z", offset=bottom, cmap=cmap, vmin=low, vmax=high,
                   linewidths=1.2)
        ax.set_title(f"$E$ only between {E.min():.3g} and {E.max():.3g} "
                     f"({100 * (E.max() - E.min()) / max(abs(E.min()), 1e-12):.0f} % of its "
                     "lowest value)", pad=0)
    ax.set_zlim(bottom, high)
    ax.zaxis.set_major_locator(MaxNLocator(4))
    ax.set_xlabel(weight_label(names[0]), labelpad=8)
    ax.set_ylabel(weight_label(names[1]), labelpad=8)
    ax.set_zlabel("$E$", labelpad=8)
    describe_axes_default(ax, f"3-D surface of the error {_grid_summary(A, B, E, names)}."
                          + (" Contour lines of the same surface are drawn on the floor."
                             if floor else ""))
    return surface


def plot_error_contour(A, B, E, names=("w5", "w6"), paths=(), levels=30, ax=None,
                       cmap=SEQUENTIAL_CMAP, colorbar=True):
    """Filled contour map of an error over two weights, with optional descent paths.

    Parameters
    ----------
    A, B, E : ndarray, shape (K, L)
        Grids of the two weights and the error (see :func:`annteach.error_grid`).
    names : (str, str), optional
        Weight names for the axis labels.
    paths : sequence of ndarray, each shape (T, 2)
        Paths through weight space (e.g. from
        :func:`annteach.gradient_descent_path`); each is drawn as a line with a
        dot at its start and a cross at its end, keyed in a legend.
    levels : int or array_like, optional
        Contour levels.
    ax : matplotlib Axes, optional
        Where to draw; a new course-sized wide figure when None.
    cmap : str, optional
        Colour map.
    colorbar : bool or matplotlib Colorbar, optional
        True: add a colour bar; False: none; an existing colour bar (from an
        earlier call into the same axes): it changes to the new contours.

    Returns
    -------
    contour : QuadContourSet
        The filled contours (``contour.colorbar`` is their colour bar, if any).
    lines : list of Line2D
        One line per path, its data the path's two columns.
    """
    ax = get_ax(ax, FIGSIZE["wide"])
    contour = ax.contourf(A, B, E, levels=levels, cmap=cmap)
    if colorbar is True:
        bar = ax.figure.colorbar(contour, ax=ax, label="$E$")
        bar.locator = MaxNLocator(5)
        bar.update_ticks()
    elif colorbar:  # a colour bar of contours shows their levels: point it at the new ones
        colorbar.boundaries, colorbar.values = contour.levels, contour.cvalues
        colorbar.update_normal(contour)
        contour.colorbar = colorbar
    lines, ends = [], []
    outline = [pe.Stroke(linewidth=4.5, foreground=INK), pe.Normal()]
    for k, path in enumerate(paths):
        path = np.asarray(path)
        color = _PATH_COLORS[k % len(_PATH_COLORS)]
        (line,) = ax.plot(path[:, 0], path[:, 1], color=color, lw=2.5, path_effects=outline,
                          label=f"from ({path[0, 0]:g}, {path[0, 1]:g})")
        ax.plot(*path[0], "o", color=color, mec=INK, ms=11)
        ax.plot(*path[-1], "X", color=color, mec=INK, ms=14)
        lines.append(line)
        ends.append(f"from ({path[0, 0]:g}, {path[0, 1]:g}) to ({path[-1, 0]:.3g}, "
                    f"{path[-1, 1]:.3g})")
    if paths:
        markers = [Line2D([], [], marker="o", color="0.6", mec=INK, ms=11, ls="none",
                          label="start"),
                   Line2D([], [], marker="X", color="0.6", mec=INK, ms=14, ls="none",
                          label="end")]
        from matplotlib.layout_engine import ConstrainedLayoutEngine

        if isinstance(ax.figure.get_layout_engine(), ConstrainedLayoutEngine):
            ax.figure.legend(handles=[*lines, *markers], loc="outside right upper",
                             frameon=False, title="descent paths")
        else:
            ax.legend(handles=[*lines, *markers], loc="upper left", frameon=True,
                      title="descent paths")
    ax.set_xlabel(weight_label(names[0]))
    ax.set_ylabel(weight_label(names[1]))
    ax.set_aspect("equal")
    text = f"Contour map of the error {_grid_summary(A, B, E, names)}"
    if ends:
        text += f"; {len(ends)} gradient-descent path(s), " + "; ".join(ends)
    describe_axes_default(ax, text + ".")
    return contour, lines


def plot_sample_errors(w, errors, labels=None, xlabel="$w$", ax=None):
    """Error of each sample and their sum along a 1-D path through weight space.

    Parameters
    ----------
    w : array_like, shape (K,)
        Position along the path (x axis).
    errors : array_like, shape (N, K)
        Error of each of the N samples at each position (e.g. from
        :func:`annteach.xor_sample_errors`).
    labels : sequence of str, length N, optional
        Legend entries of the samples.
    xlabel : str, optional
        Label of the x axis.
    ax : Axes or pair of Axes, optional
        One Axes: samples and sum drawn together. A pair ``(ax_samples,
        ax_sum)``: samples left, sum right (on its own scale, so that small
        bumps show). None: a new course-sized wide figure with such a pair.

    Returns
    -------
    sample_lines : list of N Line2D
        The per-sample curves.
    total_line : Line2D
        The sum over samples, ``errors.sum(axis=0)`` (black line).
    """
    w = np.asarray(w)
    errors = np.asarray(errors)
    if errors.ndim != 2 or errors.shape[1] != w.shape[0]:
        raise ValueError(f"errors must have shape (N, {w.shape[0]}), got {errors.shape}")
    if ax is None:
        _, ax = plt.subplots(1, 2, figsize=FIGSIZE["wide"], layout="constrained")
    ax_samples, ax_sum = (ax, ax) if isinstance(ax, plt.Axes) else ax
    labels = [f"sample {n}" for n in range(len(errors))] if labels is None else labels
    sample_lines = [
        ax_samples.plot(w, e, lw=2.5, label=lab, color=SAMPLE_COLORS[n % len(SAMPLE_COLORS)],
                        linestyle=SAMPLE_LINESTYLES[n % len(SAMPLE_LINESTYLES)])[0]
        for n, (e, lab) in enumerate(zip(errors, labels, strict=True))
    ]
    total = errors.sum(axis=0)
    (total_line,) = ax_sum.plot(w, total, color=INK, lw=3, label="sum $E$")
    for a in {ax_samples, ax_sum}:
        a.set_xlabel(xlabel)
        a.legend()
    ax_samples.set_ylabel("$E_n$")
    ax_sum.set_ylabel("$E$")
    k = int(np.argmin(total))
    text = (f"The error of each of the {len(errors)} samples, E_n, and their sum E along "
            f"{xlabel.strip('$')} from {w[0]:g} to {w[-1]:g}; the sum is lowest, "
            f"{total[k]:.3g}, at {w[k]:.3g}")
    if ax_sum is ax_samples:
        describe_axes_default(ax_samples, text + ".")
    else:
        describe_axes_default(ax_samples, f"The error E_n of each of the {len(errors)} "
                              f"samples along {xlabel.strip('$')} from {w[0]:g} to {w[-1]:g}.")
        describe_axes_default(ax_sum, f"Their sum E, lowest ({total[k]:.3g}) at "
                              f"{xlabel.strip('$')} = {w[k]:.3g}.")
    return sample_lines, total_line
