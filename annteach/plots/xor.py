"""Plots for the XOR problem: the four samples, candidate lines, the 2-2-1 network."""

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, Patch

from ..xor import XOR_WEIGHTS, check_weight_names, xor_dataset
from ._axes import get_ax
from .alt import describe_axes_default
from .colors import CLASS_COLORS, INK, WEIGHT_COLORS
from .style import FIGSIZE, FONT_PT

__all__ = ["XOR_COLORS", "draw_xor_network", "plot_network_boundary", "plot_xor_data",
           "plot_xor_line", "weight_label"]

#: Colours of class 0 and class 1 (the course's class colours).
XOR_COLORS = CLASS_COLORS
#: Marker of each class (shape as well as colour tells the classes apart).
XOR_MARKERS = ("o", "s")


def _points(X):
    return ", ".join(f"({x1:g}, {x2:g})" for x1, x2 in X)


def plot_xor_data(ax=None, size=260, legend=None):
    """Scatter plot of the four XOR samples: a colour and a marker per class, 0/1 ticks.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw; a new course-sized square figure when None.
    size : float, optional
        Marker area in points**2.
    legend : bool, optional
        Key the classes above the axes; by default only in a figure of its own (a figure
        that holds more keys its classes once).

    Returns
    -------
    scatters : list of 2 PathCollection
        ``scatters[c]`` holds the samples of class ``c``; its offsets are the
        rows of ``X`` with target ``c``, shape (2, 2).
    """
    if legend is None:
        legend = ax is None
    ax = get_ax(ax, FIGSIZE["square"])
    X, T = xor_dataset()
    scatters = [
        ax.scatter(X[T == c, 0], X[T == c, 1], s=size, color=XOR_COLORS[c],
                   marker=XOR_MARKERS[c], edgecolors=INK, linewidths=1.5, zorder=3,
                   label=f"class {c} ($t = {c}$)")
        for c in (0, 1)
    ]
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(-0.5, 1.5)
    ax.set_aspect("equal")
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if legend:
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    describe_axes_default(ax, "The four XOR samples in the (x1, x2) plane: class 0 (blue "
                          f"circles) at {_points(X[T == 0])}, class 1 (vermillion squares) at "
                          f"{_points(X[T == 1])}; each class sits on one diagonal, so no "
                          "straight line separates them.")
    return scatters


def plot_xor_line(v1, v2, c, ax=None, legend=None):
    """A straight decision boundary on the XOR data, with its mistakes circled.

    The single linear unit with weights ``v1, v2`` and bias ``c`` (lecture 1's names,
    distinct from the 2-2-1 network's ``w1 ... w6, b1 ... b3``) predicts class 1 where
    ``v1*x1 + v2*x2 + c > 0`` (that side is shaded) and class 0 elsewhere; its decision
    boundary is the line ``v1*x1 + v2*x2 + c = 0``.

    Parameters
    ----------
    v1, v2, c : float
        The unit's weights and bias; ``v1`` and ``v2`` must not both be 0.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    legend : bool, optional
        Key the classes, the shaded side and the circled mistakes; by default only in a
        figure of its own (of several panels, pass True for one: the key then goes above the
        figure, in one row).

    Returns
    -------
    dict
        ``"scatters"``: the two PathCollections of :func:`plot_xor_data`;
        ``"line"``: the Line2D of the boundary; ``"wrong"``: int ndarray,
        shape (M,), indices into ``xor_dataset()`` of misclassified samples;
        ``"marks"``: the PathCollection circling them.
    """
    if v1 == 0 and v2 == 0:
        raise ValueError("v1 and v2 are both 0: that is not a line")
    if legend is None:
        legend = ax is None
    ax = get_ax(ax, FIGSIZE["square"])
    scatters = plot_xor_data(ax, legend=False)
    X, T = xor_dataset()
    wrong = np.flatnonzero((X @ np.array([v1, v2]) + c > 0) != (T == 1))
    # Shade the class-1 side: evaluate the sign on a grid covering the axes.
    g = np.linspace(-0.5, 1.5, 201)
    G1, G2 = np.meshgrid(g, g)
    ax.contourf(G1, G2, v1 * G1 + v2 * G2 + c, levels=[0, np.inf], colors=[XOR_COLORS[1]],
                alpha=0.15)
    if v2 != 0:
        xs = np.array([-0.5, 1.5])
        (line,) = ax.plot(xs, -(v1 * xs + c) / v2, color="black")
    else:
        (line,) = ax.plot([-c / v1] * 2, [-0.5, 1.5], color="black")
    marks = ax.scatter(X[wrong, 0], X[wrong, 1], s=900, facecolors="none",
                       edgecolors=INK, linestyles="--", linewidths=2, zorder=4)
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(-0.5, 1.5)
    if legend:
        handles = [*scatters,
                   Patch(facecolor=XOR_COLORS[1], alpha=0.25, label="predicted class 1"),
                   Line2D([], [], marker="o", markersize=16, markerfacecolor="none",
                          markeredgecolor=INK, linestyle="none", label="misclassified")]
        if len(ax.figure.get_axes()) > 1:  # one key for the figure, clear of panel titles
            ax.figure.legend(handles=handles, loc="outside upper center", ncol=len(handles),
                             frameon=False)
        else:
            ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2,
                      frameon=False)
    samples = "none" if not len(wrong) else _points(X[wrong])
    describe_axes_default(ax, f"The line {v1:g} x1 + {v2:g} x2 + {c:g} = 0 on the four XOR "
                          "samples, the side it predicts as class 1 shaded: it misclassifies "
                          f"{len(wrong)} of 4 ({samples}).")
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
# Where along an edge its label sits (0 = source, 1 = target): the crossing
# input-to-hidden edges w4 and w5 are labelled near their source, away from the crossing;
# w6 right of where the b2 edge crosses it; the others where no other edge passes.
_LABEL_AT = {"w3": 0.5, "w4": 0.24, "w5": 0.24, "w6": 0.63, "b2": 0.3, "b3": 0.55,
             "w1": 0.5, "w2": 0.5, "b1": 0.55}


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
        Where to draw; a new course-sized wide figure when None.
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
    ax = get_ax(ax, FIGSIZE["wide"])
    nodes, edges, labels = {}, {}, {}
    for name, (x, y) in _NODES.items():
        bias = name.startswith("bias")
        nodes[name] = ax.add_patch(Circle((x, y), radius, facecolor="#dddddd" if bias else
                                          "white", edgecolor="black", zorder=2))
        ax.text(x, y, weight_label(name), ha="center", va="center",
                fontsize=FONT_PT["label"] + 2, zorder=3)
    for src, dst, w in _EDGES:
        (x0, y0), (x1, y1) = _NODES[src], _NODES[dst]
        # Start and end the arrow on the circles, not at their centres.
        d = np.array([x1 - x0, y1 - y0]) * radius / np.hypot(x1 - x0, y1 - y0)
        color = "0.3" if weights is None else WEIGHT_COLORS[int(weights[w] >= 0)]
        arrow = FancyArrowPatch((x0 + d[0], y0 + d[1]), (x1 - d[0], y1 - d[1]),
                                arrowstyle="-|>", mutation_scale=18, shrinkA=0, shrinkB=0,
                                color=color, linewidth=2, zorder=1)
        edges[w] = (src, dst, ax.add_patch(arrow))
        t = _LABEL_AT[w]
        text = weight_label(w) if weights is None else f"{weight_label(w)}$={weights[w]:g}$"
        labels[w] = ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), text, ha="center",
                            va="center", fontsize=FONT_PT["annotation"], zorder=3,
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"})
    ax.set_xlim(-0.5, 6.5)
    ax.set_ylim(-2.0, 2.5)
    ax.set_aspect("equal")
    ax.axis("off")
    if weights is not None:
        ax.legend(handles=[Line2D([], [], color=WEIGHT_COLORS[1], lw=2, label="weight > 0"),
                           Line2D([], [], color=WEIGHT_COLORS[0], lw=2, label="weight < 0")],
                  loc="upper right", frameon=False)
    values = "" if weights is None else " Weights: " + ", ".join(
        f"{w} = {weights[w]:g}" for _, _, w in _EDGES) + "."
    describe_axes_default(ax, "Diagram of the 2-2-1 network: inputs x1 and x2 and a bias "
                          "node 1 feed the hidden units h1 and h2; h1, h2 and a second bias "
                          "node feed the output y." + values)
    return {"nodes": nodes, "edges": edges, "labels": labels}


# Hidden unit -> (weight on x1, weight on x2, bias), names as in annteach.xor_net.
_HIDDEN = {"h1": ("w3", "w4", "b2"), "h2": ("w5", "w6", "b3")}
_HIDDEN_STYLES = {"h1": "--", "h2": ":"}


def plot_network_boundary(weights=None, ax=None, colorbar=True, legend=None):
    """The 2-2-1 network's output and decision boundary, with its hidden units' lines.

    Hidden unit ``h1 = g(w3 x1 + w4 x2 + b2)`` is 1/2 on the line ``w3 x1 + w4 x2 + b2 = 0``
    (``h2``: ``w5, w6, b3``), ``g`` the logistic. The decision boundary ``y = 1/2`` is where
    ``w1 h1 + w2 h2 + b1 = 0``: a curve in general, close to the two lines where the hidden
    units saturate. Drawn with :func:`annteach.plots.plot_decision_boundary`.

    Parameters
    ----------
    weights : dict, optional
        Weight values by name; missing ones take ``annteach.XOR_WEIGHTS``.
    ax : matplotlib Axes, optional
        Where to draw; a new course-sized square figure when None.
    colorbar : bool, optional
        Add a colour bar for the output.
    legend : bool, optional
        Key the classes, the boundary and the two lines above the figure (one key for a
        figure of several panels: pass True for one of them); by default only in a figure
        of its own.

    Returns
    -------
    dict
        ``"image"``, ``"boundary"``, ``"points"`` as returned by ``plot_decision_boundary``;
        ``"lines"``: ``{"h1": Line2D, "h2": Line2D}`` (a unit whose two input weights are
        both 0 has no line and is left out).
    """
    from ..xor import xor_net
    from .boundary import plot_decision_boundary

    weights = dict(weights or {})
    check_weight_names(weights)
    weights = {**XOR_WEIGHTS, **weights}
    if legend is None:
        legend = ax is None
    ax = get_ax(ax, FIGSIZE["square"])
    image, boundary, points = plot_decision_boundary(
        lambda X: xor_net(X[:, 0], X[:, 1], **weights), ax=ax, colorbar=colorbar,
        legend=False)
    ax.set_title("")
    lines = {}
    for unit, (n1, n2, nb) in _HIDDEN.items():
        v1, v2, c = weights[n1], weights[n2], weights[nb]
        if v1 == 0 and v2 == 0:
            continue
        if abs(v2) >= abs(v1):
            xs = np.array([-0.5, 1.5])
            ys = -(v1 * xs + c) / v2
        else:
            ys = np.array([-0.5, 1.5])
            xs = -(v2 * ys + c) / v1
        (lines[unit],) = ax.plot(xs, ys, color=INK, linestyle=_HIDDEN_STYLES[unit],
                                 linewidth=2, scalex=False, scaley=False,
                                 label=f"${unit[0]}_{unit[1]} = 1/2$")
    if legend:
        handles = [*points, Line2D([], [], color=INK, lw=2.5, label="$y = 1/2$"),
                   *lines.values()]
        ax.figure.legend(handles=handles, loc="outside upper center", ncol=len(handles),
                         frameon=False)
    return {"image": image, "boundary": boundary, "points": points, "lines": lines}
