"""A minimum along a line through weight space, drawn on the contour map of the surface.

The lowest point of a 1-D slice ``b = a + offset`` is a minimum of the surface only if the
gradient there is zero. :func:`plot_line_minimum` draws the line, its lowest point and the
downhill direction of the surface there (``-gradient``), so the two can be told apart.
"""

import matplotlib.patheffects as pe
import numpy as np
from matplotlib.lines import Line2D

from ._axes import get_ax
from .alt import describe_axes_default
from .colors import INK, SAMPLE_COLORS
from .style import FIGSIZE
from .surfaces import plot_error_contour
from .xor import weight_label

__all__ = ["plot_line_minimum"]

_LINE_COLOR = "#FFFFFF"
_ARROW_COLOR = "#FFFFFF"
_PATH_COLOR = SAMPLE_COLORS[0]


def plot_line_minimum(A, B, E, point, gradient, offset, path=None, names=("w5", "w6"),
                      arrow_length=2.0, ax=None):
    """Contour map of ``E`` with the line ``b = a + offset``, a point on it and the downhill arrow.

    Parameters
    ----------
    A, B, E : ndarray, shape (K, L)
        Grids of the two weights and the error (see :func:`annteach.error_grid`).
    point : array_like, shape (2,)
        The point ``(a, b)`` to mark, e.g. the minimum along the line from
        :func:`annteach.line_minimum`.
    gradient : array_like, shape (2,)
        ``(dE/da, dE/db)`` of the surface at ``point``; the arrow points along
        ``-gradient`` (downhill). It must not be zero.
    offset : float
        The line ``b = a + offset``, drawn across the grid.
    path : array_like, shape (T, 2), optional
        A gradient-descent path from ``point`` (e.g. from
        :func:`annteach.gradient_descent_path`), drawn with a cross at its end.
    names : (str, str), optional
        Weight names for the axis labels.
    arrow_length : float, optional
        Length of the arrow in weight units (its direction is what matters; the gradient
        itself is usually far too small to draw to scale).
    ax : matplotlib Axes, optional
        Where to draw; a new course-sized wide figure when None.

    Returns
    -------
    dict
        ``"contour"`` (QuadContourSet), ``"line"`` (Line2D of the line), ``"point"``
        (Line2D of the marker), ``"arrow"`` (FancyArrow), ``"path"`` (Line2D or None).
    """
    A, B, E = (np.asarray(v, dtype=np.float64) for v in (A, B, E))
    point = np.asarray(point, dtype=np.float64)
    gradient = np.asarray(gradient, dtype=np.float64)
    if point.shape != (2,) or gradient.shape != (2,):
        raise ValueError(f"point and gradient must have shape (2,), got {point.shape} and "
                         f"{gradient.shape}")
    norm = float(np.linalg.norm(gradient))
    if not np.isfinite(norm) or norm == 0:
        raise ValueError(f"the gradient {gradient.tolist()} has no downhill direction to draw")
    if not arrow_length > 0:
        raise ValueError(f"arrow_length must be positive, got {arrow_length}")
    ax = get_ax(ax, FIGSIZE["wide"])
    contour, _ = plot_error_contour(A, B, E, names=names, ax=ax)
    outline = [pe.Stroke(linewidth=4.5, foreground=INK), pe.Normal()]

    lo = max(A.min(), B.min() - offset)
    hi = min(A.max(), B.max() - offset)
    a_line = np.array([lo, hi])
    label_a, label_b = weight_label(names[0]), weight_label(names[1])
    line_label = f"{label_b.rstrip('$')} = {label_a.strip('$')} {'+' if offset >= 0 else '-'} " \
                 f"{abs(offset):g}$"
    (line,) = ax.plot(a_line, a_line + offset, color=_LINE_COLOR, lw=2.5, ls="--",
                      path_effects=outline, label=line_label)

    path_line = None
    if path is not None:
        path = np.asarray(path, dtype=np.float64)
        if path.ndim != 2 or path.shape[1] != 2:
            raise ValueError(f"path must have shape (T, 2), got {path.shape}")
        (path_line,) = ax.plot(path[:, 0], path[:, 1], color=_PATH_COLOR, lw=2.5,
                               path_effects=outline,
                               label=f"descent from it, {len(path) - 1} steps")
        ax.plot(*path[-1], "X", color=_PATH_COLOR, mec=INK, ms=14)

    step = -gradient / norm * arrow_length
    arrow = ax.arrow(*point, *step, width=0.06 * arrow_length, head_width=0.25 * arrow_length,
                     head_length=0.25 * arrow_length, length_includes_head=True,
                     facecolor=_ARROW_COLOR,
                     edgecolor=INK, lw=1.5, zorder=4)
    (marker,) = ax.plot(*point, "o", color=_LINE_COLOR, mec=INK, mew=2, ms=12, zorder=5,
                        label="lowest point on the line")

    handles = [line, marker,
               Line2D([], [], color=INK, marker=r"$\rightarrow$", ms=22, ls="none",
                      label=r"downhill: $-\nabla E$")]
    if path_line is not None:
        handles += [path_line, Line2D([], [], marker="X", color=_PATH_COLOR, mec=INK, ms=14,
                                      ls="none", label="end of the descent")]
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    if isinstance(ax.figure.get_layout_engine(), ConstrainedLayoutEngine):
        ax.figure.legend(handles=handles, loc="outside right upper", frameon=False)
    else:
        ax.legend(handles=handles, loc="upper left", frameon=True)

    a_name, b_name = names
    cosine = abs(step[0] + step[1]) / (np.sqrt(2) * arrow_length)
    angle = float(np.degrees(np.arccos(min(cosine, 1.0))))
    text = (f"Contour map of the error E over {a_name} and {b_name} with the line "
            f"{b_name} = {a_name} {'+' if offset >= 0 else '-'} {abs(offset):g} dashed. Its "
            f"lowest point on the line, ({point[0]:.3g}, {point[1]:.3g}), is marked; the "
            f"gradient of the surface there is ({gradient[0]:.1e}, {gradient[1]:.1e}), not "
            f"zero, and an arrow shows the downhill direction, "
            f"({-gradient[0] / norm:.2f}, {-gradient[1] / norm:.2f}), at {angle:.0f} degrees "
            "to the line")
    if path_line is not None:
        text += (f"; gradient descent from the point ends at ({path[-1, 0]:.3g}, "
                 f"{path[-1, 1]:.3g})")
    describe_axes_default(ax, text + ".")
    return {"contour": contour, "line": line, "point": marker, "arrow": arrow,
            "path": path_line}
