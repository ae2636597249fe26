"""The output of a 2-input network over the input square and its decision boundary.

One drawing serves the lecture's figures (:func:`plot_decision_boundary`) and the
explorers of :mod:`annteach.widgets`, which keep a :class:`DecisionBoundary` and
give it new outputs as the weights change.
"""

import matplotlib
import numpy as np
from matplotlib.colors import ListedColormap

from ..views import input_grid
from ._axes import get_ax
from .xor import plot_xor_data

__all__ = ["DecisionBoundary", "plot_decision_boundary"]

# White to mid grey (the lighter 62.5 % of "Greys"): the black boundary line and the dark
# samples of class 1 stay visible on the highest outputs.
_LIGHT_GREYS = ListedColormap(matplotlib.colormaps["Greys"](np.linspace(0, 0.625, 256)),
                              name="light_greys")


class DecisionBoundary:
    """The output of a 2-input model over ``[0, 1]**2``, its decision boundary and the
    four XOR samples, in one axes; :meth:`set_output` redraws it for new outputs.

    The output is an image in shades of grey (white = lowest, mid grey =
    highest, so that the black boundary line and the samples stay visible),
    the boundary a black contour line at ``threshold``.

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
        Outputs the colour scale covers at first; it widens for outputs beyond.

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

    def __init__(self, ax, threshold=0.5, resolution=101, colorbar=True, value_range=(0, 1)):
        if int(resolution) < 2:
            raise ValueError(f"resolution must be at least 2, got {resolution}")
        self.ax, self.threshold = ax, float(threshold)
        self.X1, self.X2 = input_grid(int(resolution))
        self.image = ax.imshow(np.zeros_like(self.X1), extent=(0, 1, 0, 1), origin="lower",
                               cmap=_LIGHT_GREYS, interpolation="bilinear")
        self._range = tuple(float(v) for v in value_range)
        self.image.set_clim(*self._range)
        if colorbar:
            ax.figure.colorbar(self.image, ax=ax, label="network output")
        self.points = plot_xor_data(ax=ax)
        for collection in self.points:
            collection.set_clip_on(False)  # the samples sit on the corners
        self.boundary = None
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
        ax.tick_params(pad=10)

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
            self.image.set_clim(lo, hi)
        if self.boundary is not None:
            self.boundary.remove()
        crosses = Z.min() < self.threshold < Z.max()
        self.boundary = self.ax.contour(self.X1, self.X2, Z,
                                        levels=[self.threshold] if crosses else [],
                                        colors="black", linewidths=2)

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


def plot_decision_boundary(model, ax=None, threshold=0.5, resolution=101, colorbar=True):
    """Output of a 2-input model over the unit square, its decision boundary
    and the four XOR samples.

    Parameters
    ----------
    model : object or callable
        Anything with ``predict_proba(X)`` (such as :class:`annteach.MLP`),
        or a function, mapping inputs of shape (N, 2) to outputs of shape
        (N,) or (N, 1) (or (N, 2) class probabilities: class 1 is shown).
    ax : matplotlib Axes, optional
        Where to draw; a new (4.2, 3.6) figure when None.
    threshold : float, optional
        Output level drawn as the decision boundary (see :class:`DecisionBoundary`).
    resolution : int, optional
        Grid points per axis.
    colorbar : bool, optional
        Add a colour bar for the model output.

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
    X1, X2 = input_grid(int(resolution))
    Z = _outputs(model, np.column_stack([X1.ravel(), X2.ravel()])).reshape(X1.shape)
    # The scale covers [0, 1] (logistic outputs) or [-1, 1] (tanh), and any wider range.
    drawing = DecisionBoundary(get_ax(ax, (4.2, 3.6)), threshold, resolution, colorbar,
                               value_range=(min(0.0, Z.min()), max(1.0, Z.max())))
    drawing.set_output(Z)
    drawing.ax.set_title(f"decision boundary (output = {threshold:g})", pad=12)
    return drawing.image, drawing.boundary, drawing.points
