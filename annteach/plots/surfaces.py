"""Plots of the XOR error over two weights: 3-D surface, contours, per-sample errors."""

import matplotlib.pyplot as plt
import numpy as np

from ._axes import get_ax
from .xor import weight_label

__all__ = ["plot_error_contour", "plot_error_surface", "plot_sample_errors"]


def plot_error_surface(A, B, E, names=("w5", "w6"), ax=None, cmap="viridis"):
    """3-D surface of an error over a grid of two weights.

    Parameters
    ----------
    A, B, E : ndarray, shape (K, L)
        Grid of the first weight, of the second weight, and the error there
        (as returned by :func:`annteach.error_grid`).
    names : (str, str), optional
        Weight names for the axis labels (``"w5"`` is shown as $w_5$).
    ax : mpl_toolkits.mplot3d Axes3D, optional
        Where to draw; a new (7, 4.5) figure with 3-D axes when None.
    cmap : str, optional
        Colour map.

    Returns
    -------
    surface : Poly3DCollection
        The surface; ``surface.axes`` is the 3-D axes.
    """
    A, B, E = (np.asarray(v) for v in (A, B, E))
    if not A.shape == B.shape == E.shape or A.ndim != 2:
        raise ValueError(f"A, B, E must be 2-D of one shape, got {A.shape}, {B.shape}, {E.shape}")
    if ax is None:
        fig = plt.figure(figsize=(7, 4.5))
        ax = fig.add_subplot(projection="3d")
    surface = ax.plot_surface(A, B, E, cmap=cmap, rstride=1, cstride=1, linewidth=0,
                              antialiased=False)
    ax.set_xlabel(weight_label(names[0]))
    ax.set_ylabel(weight_label(names[1]))
    ax.set_zlabel("$E$")
    return surface


def plot_error_contour(A, B, E, names=("w5", "w6"), paths=(), levels=30, ax=None,
                       cmap="viridis", colorbar=True):
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
        dot at its start and a cross at its end.
    levels : int or array_like, optional
        Contour levels.
    ax : matplotlib Axes, optional
        Where to draw; a new (5, 3.2) figure when None.
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
    ax = get_ax(ax, (5, 3.2))
    contour = ax.contourf(A, B, E, levels=levels, cmap=cmap)
    if colorbar is True:
        ax.figure.colorbar(contour, ax=ax, label="$E$")
    elif colorbar:  # a colour bar of contours shows their levels: point it at the new ones
        colorbar.boundaries, colorbar.values = contour.levels, contour.cvalues
        colorbar.update_normal(contour)
        contour.colorbar = colorbar
    lines = []
    for k, path in enumerate(paths):
        path = np.asarray(path)
        (line,) = ax.plot(path[:, 0], path[:, 1], color=f"C{k + 1}", lw=2)
        ax.plot(*path[0], "o", color=line.get_color(), mec="white")
        ax.plot(*path[-1], "X", color=line.get_color(), mec="white", ms=10)
        lines.append(line)
    ax.set_xlabel(weight_label(names[0]))
    ax.set_ylabel(weight_label(names[1]))
    ax.set_aspect("equal")
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
        bumps show). None: a new (9, 3.1) figure with such a pair.

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
        _, ax = plt.subplots(1, 2, figsize=(9, 3.1), layout="constrained")
    ax_samples, ax_sum = (ax, ax) if isinstance(ax, plt.Axes) else ax
    labels = [f"sample {n}" for n in range(len(errors))] if labels is None else labels
    sample_lines = [ax_samples.plot(w, e, lw=1.5, label=lab)[0]
                    for e, lab in zip(errors, labels, strict=True)]
    (total_line,) = ax_sum.plot(w, errors.sum(axis=0), color="black", lw=2, label="sum $E$")
    for a in {ax_samples, ax_sum}:
        a.set_xlabel(xlabel)
        a.legend(fontsize=9)
    ax_samples.set_ylabel("squared error")
    ax_sum.set_ylabel("$E$")
    return sample_lines, total_line
