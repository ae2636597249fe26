"""The XOR explorer: drag the nine weights of the 2-2-1 net, watch its output and its error."""

import numpy as np

from .. import views
from ..surfaces import error_grid
from ..xor import XOR_WEIGHTS, check_weight_names, xor_dataset, xor_error, xor_net
from .engine import Explorer, output_grid

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

    Left: the net's output over the input square in the course's output
    colours (class-0 colour below 0.5, light grey at 0.5, class-1 colour
    above) with the decision boundary (output 0.5, black); right: the error
    surface over two weights chosen in the dropdowns (the others at their
    current values), with the current point marked by a white cross. The
    caption above the figure gives the error and the output of each of the
    four samples (in the static figure: the titles and labels at the
    samples). "symmetric init" sets every weight to the same value: both
    hidden units then compute the same function. Display it (last value of a
    cell) to get the controls.

    Moving a weight of the surface only moves the marker; moving any other
    weight changes the surface itself, which is recomputed once the sliders
    rest for a moment (:data:`annteach.widgets.engine.SETTLE_SECONDS`), so
    that the output panel follows the slider without delay.

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
        four Texts with the outputs (static figure only); ``"surface"``: filled
        contours of the error over ``pair`` (redrawn); ``"marker"``: Line2D at
        the current ``pair`` values.
    """

    SYMMETRIC_VALUE = 0.5
    #: The sliders, one column per unit: output unit, hidden unit 1, hidden unit 2.
    UNITS = (("w1", "w2", "b1"), ("w3", "w4", "b2"), ("w5", "w6", "b3"))

    def __init__(self, weights=None, pair=("w5", "w6"), static=False):
        self.weights = dict(XOR_WEIGHTS)
        self.weights.update(weights or {})
        self.pair = tuple(pair)
        error_grid(*self.pair)  # validates the pair
        self._surface_key = self._surface_range = None
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
        from matplotlib.ticker import MaxNLocator

        from ..plots import DecisionBoundary
        from ..plots.colors import INK
        from ..plots.style import FONT_PT

        ax_in, ax_err = self.figure.subplots(1, 2)
        self.panel = DecisionBoundary(ax_in, resolution=output_grid(self.static))
        labels = []
        if self.static:  # live, the outputs are in the caption
            X, _ = xor_dataset()
            labels = [ax_in.text(x1, x2 + 0.08 if x2 < 0.5 else x2 - 0.08, "", ha="center",
                                 va="bottom" if x2 < 0.5 else "top",
                                 fontsize=FONT_PT["annotation"],
                                 bbox={"boxstyle": "round,pad=0.15", "fc": "white",
                                       "ec": "none", "alpha": 0.8})
                      for x1, x2 in X]
        for axis in (ax_err.xaxis, ax_err.yaxis):
            axis.set_major_locator(MaxNLocator(5))
        (marker,) = ax_err.plot([], [], "X", color="white", mec=INK, mew=1.5, ms=16,
                                label="current weights")
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
        self._colorbar.locator = MaxNLocator(5)
        self.artists["surface"] = surface
        self._surface_key = self._key()
        self._surface_range = float(E.min()), float(E.max())

    def _refresh(self):
        self.panel.set_output(xor_net(*self.grid, **self.weights))
        self.artists["boundary"] = self.panel.boundary
        for text, y in zip(self.artists["labels"], self.outputs()):
            text.set_text(f"{y:.2f}")
        if self._key() != self._surface_key:  # only the marker moves when a, b change
            if self._surface_key is None:
                self._draw_surface()
            else:
                self._later(self._draw_surface)
        a, b = self.pair
        self.artists["marker"].set_data([self.weights[a]], [self.weights[b]])

    def _captions(self):
        a, b = self.pair
        E = f"E = {self.error():.4f}"
        if self.static:
            return [(self.panel.ax, f"output $y$; {E}"), (self.artists["marker"].axes,
                                                          f"$E$ over {a}, {b}")]
        X, _ = xor_dataset()
        order = np.lexsort((X[:, 1], X[:, 0]))  # (0,0) (0,1) (1,0) (1,1)
        y = self.outputs()
        outputs = ", ".join(f"({X[n, 0]:g},{X[n, 1]:g}) {y[n]:.2f}" for n in order)
        return [(self.panel.ax, f"{E} \N{MIDDLE DOT} outputs y: {outputs}"),
                (self.artists["marker"].axes, f"E over {a}, {b}")]

    def _describe(self):
        a, b = self.pair
        X, T = xor_dataset()
        y = self.outputs()
        right = int(np.sum((y > 0.5) == (T == 1)))
        samples = ", ".join(f"{y_n:.2f} at ({x1:g}, {x2:g})" for (x1, x2), y_n in zip(X, y))
        lo, hi = self._surface_range
        return (f"XOR explorer. Left: the output y of the 2-2-1 network over the input square, "
                f"blue below 0.5 and vermillion above, with the decision boundary y = 0.5; the "
                f"outputs are {samples}, so {right} of the 4 samples are classified right, "
                f"and the error is E = {self.error():.4f}. Right: the error over {a} and {b} "
                f"with the other weights fixed, from {lo:.3g} to {hi:.3g}; a white cross marks "
                f"the current ({a}, {b}) = ({self.weights[a]:.2f}, {self.weights[b]:.2f}).")

    def _layout_key(self):
        # The surface and its colour bar change only when the sliders rest: they are part
        # of the background, drawn again then.
        return super()._layout_key(), self._surface_key

    def _dynamic(self):
        return [*self.panel.dynamic(), *self.artists["labels"], self.artists["marker"]]

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
