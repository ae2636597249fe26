"""The output of a 2-input network over the input square and its decision boundary.

One drawing serves the lecture's figures (:func:`plot_decision_boundary`) and the
explorers of :mod:`annteach.widgets`, which keep a :class:`DecisionBoundary` and
give it new outputs as the weights change.
"""

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.lines import Line2D

from ..views import input_grid
from ..xor import xor_dataset
from ._axes import get_ax
from .alt import describe_axes_default
from .colors import INK, output_cmap
from .style import FIGSIZE
from .xor import plot_xor_data

__all__ = ["DecisionBoundary", "plot_decision_boundary"]


def _norm_range(low, high, threshold):
    """``(low, high)`` widened, if needed, so that ``threshold`` lies strictly inside."""
    if not low < threshold:
        low = threshold - max(high - threshold, 1.0)
    if not threshold < high:
        high = threshold + max(threshold - low, 1.0)
    return low, high


class DecisionBoundary:
    """The output of a 2-input model over ``[0, 1]**2``, its decision boundary and the
    four XOR samples, in one axes; :meth:`set_output` redraws it for new outputs.

    The output is drawn in the course's output colours (:func:`annteach.plots.colors.
    output_cmap`): the class-0 colour at the lowest output, light grey at the threshold,
    the class-1 colour at the highest, so a region's colour says which class the network
    gives it; the boundary is a black contour line at ``threshold`` and the samples keep
    their class colours and markers (outlined in black, so they stay visible on the region
    of their own class).

    Parameters
    ----------
    ax : matplotlib Axes
    threshold : float, optional
        Output level drawn as the decision boundary (0.5 for a logistic output
        with targets 0 and 1; 0 for tanh with targets -1, 1).
    resolution : int, optional
        Grid points per axis.
    colorbar : bool, optional
        Add a colour bar for the output.
    value_range : (float, float), optional
        Outputs the colour scale covers at first; it widens for outputs beyond
        (and always holds the threshold, where the light middle sits).
    legend : bool, optional
        Key the classes and the boundary line above the axes.

    Attributes
    ----------
    X1, X2 : ndarray, shape (resolution, resolution)
        The grid of inputs (:func:`annteach.views.input_grid`).
    image : AxesImage
        The output on the grid.
    boundary : QuadContourSet or None
        The contour ``output == threshold`` (no line when the output never
        crosses it); drawn again by every :meth:`set_output`.
    points : list of 2 PathCollection
        The XOR samples of class 0 and class 1 (:func:`plot_xor_data`).
    """

    def __init__(self, ax, threshold=0.5, resolution=101, colorbar=True, value_range=(0, 1),
                 legend=False):
        if int(resolution) < 2:
            raise ValueError(f"resolution must be at least 2, got {resolution}")
        self.ax, self.threshold = ax, float(threshold)
        self.X1, self.X2 = input_grid(int(resolution))
        self._range = _norm_range(*(float(v) for v in value_range), self.threshold)
        self.image = ax.imshow(np.full_like(self.X1, self.threshold), extent=(0, 1, 0, 1),
                               origin="lower", cmap=output_cmap(), interpolation="bilinear",
                               norm=TwoSlopeNorm(self.threshold, *self._range))
        self.colorbar = None
        if colorbar:
            self.colorbar = ax.figure.colorbar(self.image, ax=ax, label="network output $y$")
            self._set_ticks()
        self.points = plot_xor_data(ax=ax, legend=False)
        for collection in self.points:
            collection.set_clip_on(False)  # the samples sit on the corners
        self.boundary = None
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
        ax.tick_params(pad=10)
        if legend:
            line = Line2D([], [], color=INK, lw=2.5, label=f"$y = {self.threshold:g}$")
            ax.legend(handles=[*self.points, line], loc="lower center", ncol=3,
                      bbox_to_anchor=(0.5, 1.0), frameon=False, handlelength=1.6,
                      columnspacing=1.0, borderaxespad=0.3)

    def _set_ticks(self):
        low, high = self._range
        self.colorbar.set_ticks([low, self.threshold, high])
        self.colorbar.set_ticklabels([f"{v:.3g}" for v in (low, self.threshold, high)])

    def set_output(self, Z):
        """Show the outputs ``Z``, shape (resolution, resolution), on the grid.

        ``Z[i, j]`` is the output at ``(X1[i, j], X2[i, j])``.
        """
        Z = np.asarray(Z, dtype=np.float64)
        if Z.shape != self.X1.shape:
            raise ValueError(f"outputs must have the grid's shape {self.X1.shape}, got {Z.shape}")
        self.image.set_data(Z)
        lo, hi = min(self._range[0], Z.min()), max(self._range[1], Z.max())
        if (lo, hi) != self._range:
            self._range = (lo, hi)
            self.image.set_norm(TwoSlopeNorm(self.threshold, lo, hi))
            if self.colorbar is not None:
                self._set_ticks()
        if self.boundary is not None:
            self.boundary.remove()
        crosses = Z.min() < self.threshold < Z.max()
        self.boundary = self.ax.contour(self.X1, self.X2, Z,
                                        levels=[self.threshold] if crosses else [],
                                        colors=INK, linewidths=2.5)
        X, T = xor_dataset()
        corner = Z[np.rint(X[:, 1] * (Z.shape[0] - 1)).astype(int),
                   np.rint(X[:, 0] * (Z.shape[1] - 1)).astype(int)]
        right = int(np.sum((corner > self.threshold) == (T == 1)))
        describe_axes_default(
            self.ax,
            f"The network's output y over the input square, coloured from the class-0 colour "
            f"(low) through light grey (y = {self.threshold:g}) to the class-1 colour (high); "
            f"it ranges from {Z.min():.2g} to {Z.max():.2g}. "
            + (f"The black decision boundary y = {self.threshold:g} puts {right} of the 4 XOR "
               "samples on their class's side." if crosses else
               f"The output never crosses {self.threshold:g}, so there is no decision "
               f"boundary; {right} of the 4 XOR samples are on their class's side."))

    def dynamic(self):
        """The artists that change with the outputs: image, boundary, samples, title."""
        return [self.image, self.boundary, *self.points, self.ax.title]


def _outputs(model, X):
    """Model output for the rows of X (N, 2) as a flat array (N,)."""
    if hasattr(model, "predict_proba"):
        Y = model.predict_proba(X)
    elif callable(model):
        Y = model(X)
    else:
        raise ValueError("model must have a predict_proba method or be callable, got "
                         f"{type(model).__name__}")
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim == 2 and Y.shape[1] == 2:
        Y = Y[:, 1]  # two-class softmax: probability of class 1
    Y = Y.reshape(-1)
    if Y.size != X.shape[0]:
        raise ValueError(f"model output has {Y.size} values for {X.shape[0]} inputs; "
                         "expected one output (or two class probabilities) per input")
    return Y


def plot_decision_boundary(model, ax=None, threshold=0.5, resolution=101, colorbar=True,
                           legend=None):
    """Output of a 2-input model over the unit square, its decision boundary
    and the four XOR samples.

    Parameters
    ----------
    model : object or callable
        Anything with ``predict_proba(X)`` (such as :class:`annteach.MLP`),
        or a function, mapping inputs of shape (N, 2) to outputs of shape
        (N,) or (N, 1) (or (N, 2) class probabilities: class 1 is shown).
    ax : matplotlib Axes, optional
        Where to draw; a new course-sized square figure when None.
    threshold : float, optional
        Output level drawn as the decision boundary (see :class:`DecisionBoundary`).
    resolution : int, optional
        Grid points per axis.
    colorbar : bool, optional
        Add a colour bar for the model output.
    legend : bool, optional
        Key the classes and the boundary above the axes; by default only in a figure of its
        own (of several panels, pass True for this one).

    Returns
    -------
    image : matplotlib AxesImage
        The output on the grid, ``image.get_array()`` of shape
        (resolution, resolution); row ``i`` is input ``x2 = i / (resolution - 1)``.
    boundary : matplotlib QuadContourSet
        The contour line ``output == threshold`` (no line when the output
        never crosses the threshold).
    points : list of 2 PathCollection
        The XOR samples of class 0 and class 1 (see ``plot_xor_data``).
    """
    if int(resolution) < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    if legend is None:
        legend = ax is None
    X1, X2 = input_grid(int(resolution))
    Z = _outputs(model, np.column_stack([X1.ravel(), X2.ravel()])).reshape(X1.shape)
    # The scale covers [0, 1] (logistic outputs) or [-1, 1] (tanh), and any wider range.
    drawing = DecisionBoundary(get_ax(ax, FIGSIZE["square"]), threshold, resolution, colorbar,
                               value_range=(min(0.0, Z.min()), max(1.0, Z.max())),
                               legend=legend)
    drawing.set_output(Z)
    if not legend:  # the key names the boundary line; without it, the title does
        drawing.ax.set_title(f"decision boundary ($y = {threshold:g}$)", pad=12)
    return drawing.image, drawing.boundary, drawing.points
