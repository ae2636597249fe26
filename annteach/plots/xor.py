"""Plots for the XOR problem: the four samples, candidate lines, the 2-2-1 network."""

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from ..xor import XOR_WEIGHTS, check_weight_names, xor_dataset
from ._axes import get_ax

__all__ = ["XOR_COLORS", "draw_xor_network", "plot_xor_data", "plot_xor_line", "weight_label"]

#: Colours of class 0 and class 1 (two shades of blue).
XOR_COLORS = ("#9ecae1", "#08519c")


def plot_xor_data(ax=None, size=200):
    """Scatter plot of the four XOR samples, one colour per class, no ticks.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw; a new (3.2, 3.2) figure when None.
    size : float, optional
        Marker area in points**2.

    Returns
    -------
    scatters : list of 2 PathCollection
        ``scatters[c]`` holds the samples of class ``c``; its offsets are the
        rows of ``X`` with target ``c``, shape (2, 2).
    """
    ax = get_ax(ax, (3.2, 3.2))
    X, Y = xor_dataset()
    scatters = [
        ax.scatter(X[Y == c, 0], X[Y == c, 1], s=size, color=XOR_COLORS[c],
                   edgecolors="black", zorder=3, label=f"class {c}")
        for c in (0, 1)
    ]
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(-0.5, 1.5)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return scatters


def plot_xor_line(w1, w2, b, ax=None):
    """A straight decision boundary on the XOR data, with its mistakes circled.

    The line ``w1*x1 + w2*x2 + b = 0`` predicts class 1 where
    ``w1*x1 + w2*x2 + b > 0`` (that side is shaded) and class 0 elsewhere.

    Parameters
    ----------
    w1, w2, b : float
        Line coefficients; ``w1`` and ``w2`` must not both be 0.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    dict
        ``"scatters"``: the two PathCollections of :func:`plot_xor_data`;
        ``"line"``: the Line2D of the boundary; ``"wrong"``: int ndarray,
        shape (M,), indices into ``xor_dataset()`` of misclassified samples;
        ``"marks"``: the PathCollection circling them.
    """
    if w1 == 0 and w2 == 0:
        raise ValueError("w1 and w2 are both 0: that is not a line")
    ax = get_ax(ax, (3.2, 3.2))
    scatters = plot_xor_data(ax)
    X, Y = xor_dataset()
    wrong = np.flatnonzero((X @ np.array([w1, w2]) + b > 0) != (Y == 1))
    # Shade the class-1 side: evaluate the sign on a grid covering the axes.
    g = np.linspace(-0.5, 1.5, 201)
    G1, G2 = np.meshgrid(g, g)
    ax.contourf(G1, G2, w1 * G1 + w2 * G2 + b, levels=[0, np.inf], colors=[XOR_COLORS[1]],
                alpha=0.15)
    if w2 != 0:
        xs = np.array([-0.5, 1.5])
        (line,) = ax.plot(xs, -(w1 * xs + b) / w2, color="black")
    else:
        (line,) = ax.plot([-b / w1] * 2, [-0.5, 1.5], color="black")
    marks = ax.scatter(X[wrong, 0], X[wrong, 1], s=600, facecolors="none",
                       edgecolors="red", linewidths=2, zorder=4)
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(-0.5, 1.5)
    return {"scatters": scatters, "line": line, "wrong": wrong, "marks": marks}


# Node positions (x, y) of the 2-2-1 network diagram; "1" nodes are the biases.
_NODES = {
    "x1": (0.0, 2.0), "x2": (0.0, 0.0), "bias_h": (0.0, -1.5),
    "h1": (3.0, 2.0), "h2": (3.0, 0.0), "bias_y": (3.0, -1.5),
    "y": (6.0, 1.0),
}
# Edges (source, target, weight name), following annteach.xor_net.
_EDGES = [
    ("x1", "h1", "w3"), ("x2", "h1", "w4"), ("bias_h", "h1", "b2"),
    ("x1", "h2", "w5"), ("x2", "h2", "w6"), ("bias_h", "h2", "b3"),
    ("h1", "y", "w1"), ("h2", "y", "w2"), ("bias_y", "y", "b1"),
]
# Where along an edge its label sits (0 = source, 1 = target): near the source
# on the crossing input-to-hidden edges, half-way on the hidden-to-output ones.
_LABEL_AT = {"w3": 0.35, "w4": 0.35, "w5": 0.35, "w6": 0.35, "b2": 0.2, "b3": 0.6,
             "w1": 0.5, "w2": 0.5, "b1": 0.5}


def weight_label(name):
    """The math-text label of a weight or node name: 'w3' -> '$w_{3}$', 'y' -> '$y$',
    'bias_h' -> '$1$'."""
    if name.startswith("bias"):
        return "$1$"
    return f"${name}$" if len(name) == 1 else f"${name[0]}_{{{name[1:]}}}$"


def draw_xor_network(weights=None, ax=None, radius=0.32):
    """Diagram of the lecture's 2-2-1 network with its weights named as in ``xor_net``.

    ``h1 = g(b2 + w3 x1 + w4 x2)``, ``h2 = g(b3 + w5 x1 + w6 x2)``,
    ``y = g(b1 + w1 h1 + w2 h2)``; the biases are drawn as weights from
    grey nodes that always output 1.

    Parameters
    ----------
    weights : dict, optional
        Weight values by name (e.g. ``annteach.XOR_WEIGHTS``; missing ones take
        the lecture's defaults); when given, each edge label shows
        ``name = value``, otherwise only the name.
    ax : matplotlib Axes, optional
        Where to draw; a new (6.5, 3.6) figure when None.
    radius : float, optional
        Node radius in data units.

    Returns
    -------
    dict
        ``"nodes"``: {node name: Circle} for ``x1, x2, h1, h2, y, bias_h,
        bias_y``; ``"edges"``: {weight name: (source, target, FancyArrowPatch)};
        ``"labels"``: {weight name: Text}.
    """
    if weights is not None:
        check_weight_names(weights)
        weights = {**XOR_WEIGHTS, **weights}
    ax = get_ax(ax, (6.5, 3.6))
    nodes, edges, labels = {}, {}, {}
    for name, (x, y) in _NODES.items():
        bias = name.startswith("bias")
        nodes[name] = ax.add_patch(Circle((x, y), radius, facecolor="#dddddd" if bias else
                                          "white", edgecolor="black", zorder=2))
        ax.text(x, y, weight_label(name), ha="center", va="center", fontsize=13, zorder=3)
    for src, dst, w in _EDGES:
        (x0, y0), (x1, y1) = _NODES[src], _NODES[dst]
        # Start and end the arrow on the circles, not at their centres.
        d = np.array([x1 - x0, y1 - y0]) * radius / np.hypot(x1 - x0, y1 - y0)
        arrow = FancyArrowPatch((x0 + d[0], y0 + d[1]), (x1 - d[0], y1 - d[1]),
                                arrowstyle="-|>", mutation_scale=12, shrinkA=0, shrinkB=0,
                                color="0.3", zorder=1)
        edges[w] = (src, dst, ax.add_patch(arrow))
        t = _LABEL_AT[w]
        text = weight_label(w) if weights is None else f"{weight_label(w)}$={weights[w]:g}$"
        labels[w] = ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), text, ha="center",
                            va="center", fontsize=10, zorder=3,
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"})
    ax.set_xlim(-0.5, 6.5)
    ax.set_ylim(-2.0, 2.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return {"nodes": nodes, "edges": edges, "labels": labels}
