"""The XOR explorer: drag the nine weights of the 2-2-1 net, watch its output and its error."""

import numpy as np

from .. import views
from ..surfaces import error_grid
from ..xor import XOR_WEIGHTS, check_weight_names, xor_dataset, xor_error, xor_net
from .engine import Explorer

__all__ = ["XorExplorer"]


def _error_levels(E, n=21):
    """``n`` contour levels over the range of ``E`` (at least 0.01 wide).

    The XOR error of two weights often moves by a few hundredths only (at
    the lecture's weights, 0.99 to 1.05 over ``w5, w6``); levels over a fixed
    0..4 would paint such a surface in one colour.
    """
    lo, hi = float(np.min(E)), float(np.max(E))
    mid, half = (lo + hi) / 2, max((hi - lo) / 2, 0.005)
    return np.linspace(mid - half, mid + half, n)


class XorExplorer(Explorer):
    """Drag the weights of the 2-2-1 XOR net and watch its output and its error.

    Left: the net's output over the input square with the decision boundary
    (output 0.5) and the output of each of the four samples; right: the
    error surface over two weights chosen in the dropdowns (the others at
    their current values), with the current point marked. "symmetric init"
    sets every weight to the same value: both hidden units then compute the
    same function. Display it (last value of a cell) to get the controls.

    Parameters
    ----------
    weights : dict, optional
        Starting weights (the rest from :data:`annteach.XOR_WEIGHTS`).
    pair : (str, str), optional
        The two weights of the error surface.
    static : bool, optional
        Draw the view once into a pyplot figure, without controls (for slides
        and web viewers).

    Attributes
    ----------
    weights : dict
        The current weights, by the names of :func:`annteach.xor_net`.
    pair : (str, str)
        The two weights spanning the error surface.
    panel : annteach.plots.DecisionBoundary
        The left panel.
    controls : dict
        ``"w1"`` ... ``"b3"``: FloatSlider; ``"a"``, ``"b"``: Dropdown of the
        surface's weights; ``"symmetric"``: Button setting every weight to
        ``SYMMETRIC_VALUE``.
    artists : dict
        ``"output"``: AxesImage of the net's output on ``grid`` (n, n);
        ``"boundary"``: contour set of output 0.5 (redrawn); ``"labels"``: the
        four Texts with the outputs; ``"surface"``: filled contours of the
        error over ``pair`` (redrawn); ``"marker"``: Line2D at the current
        ``pair`` values.
    """

    SYMMETRIC_VALUE = 0.5
    #: The sliders, one column per unit: output unit, hidden unit 1, hidden unit 2.
    UNITS = (("w1", "w2", "b1"), ("w3", "w4", "b2"), ("w5", "w6", "b3"))

    def __init__(self, weights=None, pair=("w5", "w6"), static=False):
        self.weights = dict(XOR_WEIGHTS)
        self.weights.update(weights or {})
        self.pair = tuple(pair)
        error_grid(*self.pair)  # validates the pair
        self._surface_key = None
        super().__init__(static)

    @property
    def grid(self):
        """The input grid ``(X1, X2)``, each (n, n), of the decision-boundary panel."""
        return self.panel.X1, self.panel.X2

    def outputs(self):
        """Net outputs of the four samples of ``xor_dataset()``, shape (4,)."""
        X, _ = xor_dataset()
        return xor_net(X[:, 0], X[:, 1], **self.weights)

    def error(self):
        """The current XOR error ``xor_error(**weights)``."""
        return float(xor_error(**self.weights))

    def _draw(self):
        from ..plots import DecisionBoundary

        ax_in, ax_err = self.figure.subplots(1, 2)
        self.panel = DecisionBoundary(ax_in)
        X, _ = xor_dataset()
        labels = [ax_in.text(x1, x2 + 0.08 if x2 < 0.5 else x2 - 0.08, "", ha="center",
                             va="bottom" if x2 < 0.5 else "top", fontsize=9,
                             bbox={"boxstyle": "round,pad=0.1", "fc": "white", "alpha": 0.7})
                  for x1, x2 in X]
        (marker,) = ax_err.plot([], [], "X", color="red", mec="white", ms=12)
        self.artists.update(output=self.panel.image, labels=labels, marker=marker)
        self._colorbar = True  # the first surface makes it

    def _fixed(self):
        return {k: v for k, v in self.weights.items() if k not in self.pair}

    def _key(self):
        return self.pair, tuple(sorted(self._fixed().items()))

    def _draw_surface(self):
        """The error over ``pair``, the other weights fixed, with its colour bar."""
        from matplotlib.ticker import MaxNLocator

        from ..plots import plot_error_contour

        ax_err = self.artists["marker"].axes
        if "surface" in self.artists:
            self.artists["surface"].remove()
        A, B, E = error_grid(*self.pair, **self._fixed())
        surface, _ = plot_error_contour(A, B, E, names=self.pair, levels=_error_levels(E),
                                        ax=ax_err, colorbar=self._colorbar)
        self._colorbar = surface.colorbar
        self._colorbar.locator = MaxNLocator(5)  # its limits change: the background is redrawn
        self.artists["surface"] = surface
        self._surface_key = self._key()

    def _refresh(self):
        self.panel.set_output(xor_net(*self.grid, **self.weights))
        self.artists["boundary"] = self.panel.boundary
        for text, y in zip(self.artists["labels"], self.outputs()):
            text.set_text(f"{y:.2f}")
        self.panel.ax.set_title(f"outputs; E = {self.error():.4f}", fontsize=11, pad=12)
        if self._key() != self._surface_key:  # only the marker moves when a, b change
            self._draw_surface()
        a, b = self.pair
        self.artists["marker"].set_data([self.weights[a]], [self.weights[b]])
        self.artists["marker"].axes.set_title(f"E over {a}, {b}", fontsize=11)

    def _cached(self):
        return {self._colorbar.ax: self._surface_key}  # redrawn with a new surface only

    def _dynamic(self):
        ax_err = self.artists["marker"].axes
        return [*self.panel.dynamic(), *self.artists["labels"], self.artists["surface"],
                self.artists["marker"], ax_err.title]

    def _make_controls(self):
        import ipywidgets as widgets

        columns = []
        for unit in self.UNITS:
            sliders = []
            for name in unit:
                self.controls[name] = widgets.FloatSlider(
                    value=self.weights[name], min=-10, max=10, step=0.05, description=name,
                    readout_format=".2f", continuous_update=True,
                    layout=widgets.Layout(width="290px"),
                    style={"description_width": "30px"})
                self._observe(name, lambda v, name=name: self.set_weights(**{name: v}))
                sliders.append(self.controls[name])
            columns.append(widgets.VBox(sliders))
        for key, value in zip("ab", self.pair):
            self.controls[key] = widgets.Dropdown(options=list(XOR_WEIGHTS), value=value,
                                                  description=f"surface {key}",
                                                  layout=widgets.Layout(width="170px"))
        self.controls["a"].observe(lambda c: self._set_pair(0, c["old"], c["new"]), "value")
        self.controls["b"].observe(lambda c: self._set_pair(1, c["old"], c["new"]), "value")
        self.controls["symmetric"] = widgets.Button(
            description=f"symmetric init ({self.SYMMETRIC_VALUE:g})",
            tooltip="set every weight and bias to the same value",
            layout=widgets.Layout(width="200px"))
        self.controls["symmetric"].on_click(lambda _: self.symmetric_init())
        extras = widgets.HBox([self.controls["a"], self.controls["b"],
                               self.controls["symmetric"]])
        return widgets.VBox([widgets.HBox(columns), extras])

    def set_weights(self, **weights):
        """Change some weights (sliders follow) and redraw."""
        check_weight_names(weights)
        self.weights.update({k: float(v) for k, v in weights.items()})
        with self._hold():
            for name, value in weights.items():
                if name in self.controls:
                    self.controls[name].value = value

    def symmetric_init(self, value=None):
        """Set all nine weights and biases to one value (default ``SYMMETRIC_VALUE``)."""
        self.set_weights(**views.symmetric_weights(self.SYMMETRIC_VALUE if value is None
                                                   else value))

    def _set_pair(self, which, old, new):
        pair = list(self.pair)
        other = pair[1 - which]
        pair[which] = new
        if new == other:  # picked the other dropdown's weight: swap the two
            pair[1 - which] = old
        self.pair = tuple(pair)
        with self._hold():
            for key, value in zip("ab", self.pair):
                self.controls[key].value = value
