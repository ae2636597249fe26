"""Interactive explorers for the lecture notebooks (ipywidgets 8 and matplotlib).

Each explorer is a few controls over one matplotlib figure whose artists are
updated in place (``set_data``, ``set_height``, ...; only contour lines are
removed and drawn again) and shown as a PNG in an ``ipywidgets.Image``, so
it works with the plain inline backend, in JupyterLab and in a headless test::

    ex = at.widgets.xor_explorer()
    ex                               # display: controls above the figure
    ex.controls["w5"].value = 3.0    # same as dragging the slider

Every explorer has a static twin (``xor_figure``, ``activation_figure``,
``training_figure``, ``digit_figure``) that draws the same view with the
given (default) values into a normal pyplot figure, for slides and the web
viewer, where widgets do not run. The numbers drawn come from
:mod:`annteach.views` and the rest of the package.

matplotlib and ipywidgets are imported inside the functions, so importing
this module stays cheap.
"""

import contextlib
import functools
import struct
import zlib

import numpy as np

from . import views
from .activations import ACTIVATIONS
from .surfaces import error_grid
from .xor import XOR_WEIGHTS, check_weight_names, xor_dataset, xor_error, xor_net

__all__ = [
    "ActivationExplorer",
    "DigitExplorer",
    "TrainingExplorer",
    "XorExplorer",
    "activation_explorer",
    "activation_figure",
    "digit_explorer",
    "digit_figure",
    "training_explorer",
    "training_figure",
    "xor_explorer",
    "xor_figure",
]

_DPI = 100
_OUTPUT_CMAP = "RdBu_r"  # network output 0 (blue) .. 1 (red)


def _error_levels(E, n=21):
    """``n`` contour levels over the range of ``E`` (at least 0.01 wide).

    The XOR error of two weights often moves by a few hundredths only (at
    the lecture's weights, 0.99 to 1.05 over ``w5, w6``); levels over a fixed
    0..4 would paint such a surface in one colour.
    """
    lo, hi = float(np.min(E)), float(np.max(E))
    mid, half = (lo + hi) / 2, max((hi - lo) / 2, 0.005)
    return np.linspace(mid - half, mid + half, n)


def _png(rgba, level=1):
    """PNG bytes of an opaque image, written directly with zlib (faster than PIL here).

    Parameters
    ----------
    rgba : array_like of uint8, shape (H, W, 4)
        The canvas buffer; alpha is dropped (figures are opaque).
    level : int, optional
        zlib compression level.

    Returns
    -------
    bytes
        An 8-bit RGB PNG, every row with filter type 0 (none).
    """
    rgb = np.asarray(rgba)[:, :, :3]
    h, w, _ = rgb.shape
    rows = np.zeros((h, 1 + 3 * w), dtype=np.uint8)  # leading 0 = "no filter" per row
    rows[:, 1:] = rgb.reshape(h, 3 * w)

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data)))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8 bits, RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), level)) + chunk(b"IEND", b""))


def _single_thread():
    """Limit BLAS to one thread while an explorer recomputes, when threadpoolctl is there.

    The explorers multiply tiny matrices (one image, a 2-3-1 network); extra BLAS
    threads only wait for each other, which costs tens of milliseconds per
    redraw on a busy 2-core machine (against well under 1 ms on one thread).
    """
    controller = _blas_controller()
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


@functools.cache
def _blas_controller():
    """threadpoolctl's view of the loaded BLAS (found once: it takes a millisecond)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # an optional speed-up only
        return None
    return ThreadpoolController()


class _Explorer:
    """Shared machinery: a figure, its artists, controls and the redraw.

    Subclasses set ``figsize`` and implement ``_draw()`` (make the axes and
    artists once), ``_refresh()`` (put the current state into the artists),
    ``_dynamic()`` (the artists that change between redraws) and
    ``_make_controls()`` (return the box of controls, filling ``self.controls``).
    """

    figsize = (9, 3.4)

    def __init__(self, figure=None, interactive=True):
        self.controls = {}
        self.artists = {}
        self.image = self.widget = None
        self._holding = 0
        self._background, self._background_key, self._snapshots = None, None, {}
        if figure is None:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            # Not a pyplot figure: the inline backend must not show it a second time.
            figure = Figure(figsize=self.figsize, dpi=_DPI, layout="constrained")
            FigureCanvasAgg(figure)
        self.figure = figure
        with _single_thread():
            self._draw()
            self._refresh()
        if interactive:
            import ipywidgets as widgets

            # Lay the figure out once; redraws then skip the layout engine.
            self.figure.canvas.draw()
            self.figure.set_layout_engine("none")
            self.image = widgets.Image(format="png")
            self._box = self._make_controls()
            self.widget = widgets.VBox([self._box, self.image])
            self._render()

    # -- redrawing -----------------------------------------------------------
    def update(self):
        """Put the current state into the artists and redraw the figure."""
        if self._holding:
            return
        with _single_thread():
            self._refresh()
        self._render()

    def _render(self):
        """Draw the figure and send it to the Image widget as a PNG.

        Blitting: the axes, ticks, labels and colour bars are drawn only when
        a limit or a label changed, and kept as a background; the artists that
        change (``_dynamic()``, marked animated so that a full draw skips
        them) are drawn over a copy of it every time. Artists that change
        now and then (``_cached()``: axes at the right edge, such as a colour
        bar, -> stamp) are drawn when their stamp changes and otherwise pasted
        back from a copy of their pixels.
        """
        canvas = self.figure.canvas
        if self.image is None:
            canvas.draw_idle()
            return
        dynamic = self._dynamic()
        # The frames of those axes too, or images and bars drawn later would cover them.
        for ax in {artist.axes for artist in dynamic if artist.axes is not None}:
            if ax.axison:
                dynamic += ax.spines.values()
        dynamic.sort(key=lambda artist: artist.get_zorder())
        cached = self._cached()
        for artist in [*dynamic, *cached]:
            artist.set_animated(True)
        key = self._layout_key()
        if key != self._background_key:
            canvas.draw_idle()  # Agg draws at once, without the animated artists
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._background_key = key
            self._snapshots = {}
        else:
            canvas.restore_region(self._background)
        for artist, stamp in cached.items():
            snapshot = self._snapshots.get(artist)
            if snapshot is not None and snapshot[0] == stamp:
                canvas.restore_region(snapshot[1])
            else:
                self.figure.draw_artist(artist)
                self._snapshots[artist] = (stamp, canvas.copy_from_bbox(self._region(artist)))
        for artist in dynamic:
            self.figure.draw_artist(artist)
        self.image.value = _png(canvas.buffer_rgba())

    def _cached(self):
        return {}

    def _region(self, ax):
        """Pixels of a cached axes: its box, a margin, and all to its right (tick labels)."""
        from matplotlib.transforms import Bbox

        box, fig = ax.get_window_extent(), self.figure.bbox
        return Bbox.from_extents(max(box.x0 - 3, fig.x0), max(box.y0 - 12, fig.y0),
                                 fig.x1, min(box.y1 + 12, fig.y1))

    def _layout_key(self):
        """What the background depends on: limits, scales and labels of the static axes."""
        return tuple((ax.get_xlim(), ax.get_ylim(), ax.get_yscale(), ax.get_xlabel(),
                      ax.get_ylabel()) for ax in self.figure.axes if not ax.get_animated())

    @contextlib.contextmanager
    def _hold(self):
        """Change several controls and redraw once at the end."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1
        self.update()

    def _observe(self, name, callback):
        self.controls[name].observe(lambda change: callback(change["new"]), names="value")

    def _repr_mimebundle_(self, **kwargs):
        """Show the controls and the figure, with a short plain-text stand-in.

        Where widgets do not run (an HTML export, slides, a notebook viewer)
        the plain text is what appears, instead of the repr of every control.
        """
        text = (f"[{type(self).__name__}: interactive controls; run this cell in "
                "JupyterLab to use them]")
        if self.widget is None:
            return {"text/plain": text}
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = text
        return bundle


class _BoundaryPanel:
    """The output of a 2-input network over [0, 1]**2, its 0.5 contour and the XOR samples."""

    def __init__(self, ax, n=101):
        from .plots.xor import plot_xor_data

        self.ax = ax
        self.X1, self.X2 = views.input_grid(n)
        self.image = ax.imshow(np.zeros_like(self.X1), extent=(0, 1, 0, 1), origin="lower",
                               cmap=_OUTPUT_CMAP, vmin=0, vmax=1, alpha=0.8,
                               interpolation="bilinear")
        ax.figure.colorbar(self.image, ax=ax, label="network output")
        self.points = plot_xor_data(ax=ax, size=120)
        self.boundary = None
        ax.set_xlim(-0.12, 1.12)
        ax.set_ylim(-0.12, 1.12)

    def set_output(self, Y):
        """Show the outputs ``Y`` (n, n) on the grid and their 0.5 contour."""
        self.image.set_data(Y)
        if self.boundary is not None:
            self.boundary.remove()
        levels = [0.5] if Y.min() < 0.5 < Y.max() else []
        self.boundary = self.ax.contour(self.X1, self.X2, Y, levels=levels, colors="black",
                                        linewidths=2)

    def dynamic(self):
        """The artists that change: output image, boundary, samples (drawn on top), title."""
        return [self.image, self.boundary, *self.points, self.ax.title]


# -- XOR ---------------------------------------------------------------------
class XorExplorer(_Explorer):
    """Sliders for the nine weights of the 2-2-1 XOR net; see :func:`xor_explorer`.

    Attributes
    ----------
    weights : dict
        The current weights, by the names of :func:`annteach.xor_net`.
    pair : (str, str)
        The two weights spanning the error surface.
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

    figsize = (9, 3.4)
    SYMMETRIC_VALUE = 0.5
    #: The sliders, one column per unit: output unit, hidden unit 1, hidden unit 2.
    UNITS = (("w1", "w2", "b1"), ("w3", "w4", "b2"), ("w5", "w6", "b3"))

    def __init__(self, weights=None, pair=("w5", "w6"), figure=None, interactive=True):
        self.weights = dict(XOR_WEIGHTS)
        self.weights.update(weights or {})
        self.pair = tuple(pair)
        error_grid(*self.pair)  # validates the pair
        self._surface_key = None
        super().__init__(figure, interactive)

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

        from .plots.surfaces import plot_error_contour

        ax_in, ax_err = self.figure.subplots(1, 2)
        self.panel = _BoundaryPanel(ax_in)
        X, _ = xor_dataset()
        labels = [ax_in.text(x1, x2 + 0.08, "", ha="center", va="bottom", fontsize=9,
                             bbox={"boxstyle": "round,pad=0.1", "fc": "white", "alpha": 0.7})
                  for x1, x2 in X]
        a, b = self.pair
        A, B, E = error_grid(a, b, **self._fixed())
        surface, _ = plot_error_contour(A, B, E, names=self.pair, levels=_error_levels(E),
                                        ax=ax_err)
        self._colorbar = surface.colorbar
        self._colorbar.locator = MaxNLocator(5)
        self._surface_key = self._key()
        (marker,) = ax_err.plot([], [], "X", color="red", mec="white", ms=12)
        self.artists.update(output=self.panel.image, labels=labels, surface=surface,
                            marker=marker)

    def _fixed(self):
        return {k: v for k, v in self.weights.items() if k not in self.pair}

    def _key(self):
        return self.pair, tuple(sorted(self._fixed().items()))

    def _refresh(self):
        self.panel.set_output(xor_net(*self.grid, **self.weights))
        self.artists["boundary"] = self.panel.boundary
        for text, y in zip(self.artists["labels"], self.outputs()):
            text.set_text(f"{y:.2f}")
        self.panel.ax.set_title(f"outputs; E = {self.error():.4f}", fontsize=11)
        a, b = self.pair
        ax_err = self.artists["marker"].axes
        if self._key() != self._surface_key:  # only the marker moves when a, b change
            from matplotlib.ticker import MaxNLocator

            from .plots.xor import _tex

            A, B, E = error_grid(a, b, **self._fixed())
            self.artists["surface"].remove()
            surface = ax_err.contourf(A, B, E, levels=_error_levels(E), cmap="viridis")
            self.artists["surface"] = surface
            colorbar = self._colorbar  # follows the new levels
            colorbar.boundaries, colorbar.values = surface.levels, surface.cvalues
            colorbar.update_normal(surface)
            colorbar.locator = MaxNLocator(5)  # its limits change: the background is redrawn
            ax_err.set_xlabel(_tex(a))
            ax_err.set_ylabel(_tex(b))
            self._surface_key = self._key()
        self.artists["marker"].set_data([self.weights[a]], [self.weights[b]])
        ax_err.set_title(f"E over {a}, {b}", fontsize=11)

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


def xor_explorer(weights=None, pair=("w5", "w6")):
    """Drag the weights of the 2-2-1 XOR net and watch its output and its error.

    Left: the net's output over the input square with the decision boundary
    (output 0.5) and the output of each of the four samples; right: the
    error surface over two weights chosen in the dropdowns (the others at
    their current values), with the current point marked. "symmetric init"
    sets every weight to the same value: both hidden units then compute the
    same function.

    Parameters
    ----------
    weights : dict, optional
        Starting weights (the rest from :data:`annteach.XOR_WEIGHTS`).
    pair : (str, str), optional
        The two weights of the error surface.

    Returns
    -------
    XorExplorer
        Display it (last value of a cell) to get the controls.
    """
    return XorExplorer(weights, pair)


def _static_figure(cls, **kwargs):
    """An explorer drawn once into a new pyplot figure, without controls."""
    import matplotlib.pyplot as plt

    return cls(figure=plt.figure(figsize=cls.figsize, layout="constrained"),
               interactive=False, **kwargs)


def xor_figure(weights=None, pair=("w5", "w6")):
    """The view of :func:`xor_explorer` as a static pyplot figure (no widgets).

    Returns
    -------
    XorExplorer
        With ``.figure`` and ``.artists``; no controls.
    """
    return _static_figure(XorExplorer, weights=weights, pair=pair)


# -- activations ---------------------------------------------------------------
class ActivationExplorer(_Explorer):
    """An activation, its derivative and a tangent; see :func:`activation_explorer`.

    Attributes
    ----------
    name : str
        The activation, a key of :data:`annteach.ACTIVATIONS`.
    a_range : (float, float)
        The pre-activations shown.
    a0 : float
        Where the tangent touches, inside ``a_range``.
    controls : dict
        ``"name"``: Dropdown; ``"range"``: FloatRangeSlider; ``"a0"``: FloatSlider.
    artists : dict
        ``"g"``, ``"derivative"``: Line2D of ``g(a)`` and ``g'(a)`` over ``a``;
        ``"tangent"``: Line2D of the tangent at ``a0``; ``"point"``,
        ``"derivative_point"``: Line2D markers at ``a0``.
    """

    figsize = (9, 3.2)

    def __init__(self, name="logistic", a_range=(-5.0, 5.0), a0=1.0, n=401, figure=None,
                 interactive=True):
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}; choose from {list(ACTIVATIONS)}")
        lo, hi = (float(v) for v in a_range)
        if not hi > lo:
            raise ValueError(f"a_range must be (lo, hi) with hi > lo, got {a_range}")
        self.name, self.a_range, self.n = name, (lo, hi), int(n)
        self.a0 = float(np.clip(a0, lo, hi))
        super().__init__(figure, interactive)

    @property
    def a(self):
        """The pre-activations drawn, shape (n,)."""
        return np.linspace(*self.a_range, self.n)

    def _draw(self):
        from .plots.activations import plot_activation

        ax_g, ax_d = self.figure.subplots(1, 2)
        g_line = plot_activation(self.name, self.a, ax=ax_g)
        d_line = plot_activation(self.name, self.a, derivative=True, ax=ax_d)
        (tangent,) = ax_g.plot([], [], "--", color="C3", lw=1.5)
        (point,) = ax_g.plot([], [], "o", color="C3", ms=8)
        (d_point,) = ax_d.plot([], [], "o", color="C3", ms=8)
        ax_g.set_ylabel("$g(a)$")
        ax_d.set_ylabel("$g'(a)$")
        self.artists.update(g=g_line, derivative=d_line, tangent=tangent, point=point,
                            derivative_point=d_point)

    def _refresh(self):
        g, g_derivative = ACTIVATIONS[self.name]
        a = self.a
        y = g(a)
        dy = g_derivative(y)
        y0, slope, line = views.tangent(self.name, self.a0, a)
        art = self.artists
        art["g"].set_data(a, y)
        art["derivative"].set_data(a, dy)
        art["tangent"].set_data(a, line)
        art["point"].set_data([self.a0], [y0])
        art["derivative_point"].set_data([self.a0], [slope])
        for ax, values in ((art["g"].axes, y), (art["derivative"].axes, dy)):
            lo, hi = float(values.min()), float(values.max())
            pad = 0.1 * (hi - lo) if hi > lo else 0.5
            ax.set_xlim(*self.a_range)
            ax.set_ylim(lo - pad, hi + pad)  # from g, not the tangent, which may shoot off
        # Plain-text titles: mathtext would be parsed again for every new number.
        art["g"].axes.set_title(f"{self.name}: g({self.a0:.2f}) = {y0:.3f}", fontsize=11)
        art["derivative"].axes.set_title(f"slope g'({self.a0:.2f}) = {slope:.3f}", fontsize=11)

    def _dynamic(self):
        art = self.artists
        return [art["g"], art["derivative"], art["tangent"], art["point"],
                art["derivative_point"], art["g"].axes.title, art["derivative"].axes.title]

    def _make_controls(self):
        import ipywidgets as widgets

        lo, hi = self.a_range
        self.controls["name"] = widgets.Dropdown(options=list(ACTIVATIONS), value=self.name,
                                                 description="g")
        self.controls["range"] = widgets.FloatRangeSlider(
            value=(lo, hi), min=-10, max=10, step=0.5, description="a range",
            readout_format=".1f")
        self.controls["a0"] = widgets.FloatSlider(value=self.a0, min=lo, max=hi, step=0.05,
                                                  description="a0", readout_format=".2f")
        self._observe("name", lambda v: self.set(name=v))
        self._observe("range", lambda v: self.set(a_range=v))
        self._observe("a0", lambda v: self.set(a0=v))
        return widgets.HBox([self.controls["name"], self.controls["range"],
                             self.controls["a0"]])

    def set(self, name=None, a_range=None, a0=None):
        """Change the activation, the range and/or the point (controls follow) and redraw."""
        if name is not None:
            if name not in ACTIVATIONS:
                raise ValueError(f"unknown activation {name!r}; choose from "
                                 f"{list(ACTIVATIONS)}")
            self.name = name
        if a_range is not None:
            lo, hi = (float(v) for v in a_range)
            if not hi > lo:
                raise ValueError(f"a_range must be (lo, hi) with hi > lo, got {a_range}")
            self.a_range = (lo, hi)
        lo, hi = self.a_range
        self.a0 = float(np.clip(self.a0 if a0 is None else a0, lo, hi))
        if not self.controls:
            self.update()
            return
        with self._hold():
            c = self.controls
            c["name"].value = self.name
            c["range"].value = self.a_range
            point = c["a0"]
            # Move the bounds in an order that never puts min above max.
            if lo > point.max:
                point.max, point.min = hi, lo
            else:
                point.min, point.max = lo, hi
            point.value = self.a0


def activation_explorer(name="logistic", a_range=(-5.0, 5.0), a0=1.0):
    """Pick an activation, a range of pre-activations and a point.

    Left: ``g(a)`` with its tangent at ``a0``; right: the derivative
    ``g'(a)``, computed from the output as in backpropagation
    (``g_derivative(g(a))``), with the slope at ``a0`` marked.

    Parameters
    ----------
    name : str, optional
        A key of :data:`annteach.ACTIVATIONS`.
    a_range : (float, float), optional
        Pre-activations shown (the slider allows -10 to 10).
    a0 : float, optional
        Where the tangent touches.

    Returns
    -------
    ActivationExplorer
    """
    return ActivationExplorer(name, a_range, a0)


def activation_figure(name="logistic", a_range=(-5.0, 5.0), a0=1.0):
    """The view of :func:`activation_explorer` as a static pyplot figure.

    Returns
    -------
    ActivationExplorer
        With ``.figure`` and ``.artists``; no controls.
    """
    return _static_figure(ActivationExplorer, name=name, a_range=a_range, a0=a0)


# -- training --------------------------------------------------------------------
class TrainingExplorer(_Explorer):
    """An MLP learning XOR step by step; see :func:`training_explorer`.

    Attributes
    ----------
    training : annteach.views.XorTraining
        The network (``training.model``), its velocity and loss history.
    learning_rate, momentum : float
    stochastic : bool
        One update per sample (True) or per epoch (False, batch).
    epochs_per_run : int
        Epochs trained by :meth:`run`.
    controls : dict
        ``"learning_rate"``: FloatLogSlider; ``"momentum"``: FloatSlider;
        ``"hidden_units"``: IntSlider (changing it resets); ``"mode"``:
        ToggleButtons ``"batch"``/``"stochastic"``; ``"epochs"``: IntSlider;
        ``"step"``, ``"run"``, ``"reset"``: Buttons.
    artists : dict
        ``"loss"``: Line2D of the loss history; ``"output"``: AxesImage of the
        network output on the input grid; ``"boundary"``: its 0.5 contour.
    """

    figsize = (9, 3.4)

    def __init__(self, hidden_units=3, learning_rate=0.5, momentum=0.0, stochastic=False,
                 epochs_per_run=200, seed=0, epochs=0, figure=None, interactive=True):
        self.training = views.XorTraining(hidden_units, seed)
        self.learning_rate, self.momentum = float(learning_rate), float(momentum)
        self.stochastic, self.epochs_per_run = bool(stochastic), int(epochs_per_run)
        if epochs:
            self._train(epochs)
        super().__init__(figure, interactive)

    def _train(self, epochs):
        self.training.step(epochs, self.learning_rate, self.momentum, self.stochastic)

    def _draw(self):
        ax_loss, ax_in = self.figure.subplots(1, 2)
        (line,) = ax_loss.plot([], [], color="C0", lw=2)
        ax_loss.set_yscale("log")
        ax_loss.set_xlabel("epoch")
        ax_loss.set_ylabel("mean error per sample")
        self.panel = _BoundaryPanel(ax_in)
        self.artists.update(loss=line, output=self.panel.image)

    def _refresh(self):
        history = np.asarray(self.training.model.loss_history)
        line = self.artists["loss"]
        line.set_data(np.arange(1, history.size + 1), history)
        ax = line.axes
        # Limits in round steps (50 epochs, decades): the background is redrawn rarely.
        ax.set_xlim(0, max(10, 50 * -(-history.size // 50)))
        if history.size:
            low = np.floor(np.log10(max(history.min(), 1e-12)))
            ax.set_ylim(10 ** low, 10 ** max(np.ceil(np.log10(history.max())), low + 1))
            ax.set_title(f"epoch {history.size}: loss {history[-1]:.4f}", fontsize=11)
        else:
            ax.set_ylim(1e-3, 1)
            ax.set_title("not trained yet", fontsize=11)
        self.panel.set_output(self.training.grid_output(self.panel.X1, self.panel.X2))
        self.artists["boundary"] = self.panel.boundary
        mode = "stochastic" if self.stochastic else "batch"
        self.panel.ax.set_title(f"{self.training.hidden_units} hidden units, {mode}",
                                fontsize=11)

    def step(self, epochs=1):
        """Train ``epochs`` epochs with the current settings and redraw."""
        self._read_settings()
        self._train(epochs)
        self.update()

    def run(self, epochs=None, redraws=10):
        """Train ``epochs`` (default ``epochs_per_run``) epochs, redrawing ``redraws`` times."""
        self._read_settings()
        epochs = self.epochs_per_run if epochs is None else int(epochs)
        chunks = np.diff(np.linspace(0, epochs, max(1, min(redraws, epochs)) + 1).astype(int))
        for chunk in chunks:
            self._train(int(chunk))
            self.update()

    def reset(self, hidden_units=None):
        """Back to the seeded initial weights (optionally another hidden size) and redraw."""
        self.training.reset(hidden_units)
        if "hidden_units" in self.controls:
            with self._hold():
                self.controls["hidden_units"].value = self.training.hidden_units
        else:
            self.update()

    def _read_settings(self):
        c = self.controls
        if c:
            self.learning_rate, self.momentum = c["learning_rate"].value, c["momentum"].value
            self.stochastic = c["mode"].value == "stochastic"
            self.epochs_per_run = c["epochs"].value

    def _dynamic(self):
        return [self.artists["loss"], self.artists["loss"].axes.title, *self.panel.dynamic()]

    def _settings_changed(self):
        self._read_settings()
        self.update()

    def _make_controls(self):
        import ipywidgets as widgets

        narrow = {"style": {"description_width": "90px"}, "layout": widgets.Layout(width="300px")}
        c = self.controls
        c["learning_rate"] = widgets.FloatLogSlider(value=self.learning_rate, base=10, min=-3,
                                                    max=1, step=0.1, readout_format=".3g",
                                                    description="learning rate", **narrow)
        c["momentum"] = widgets.FloatSlider(value=self.momentum, min=0, max=0.95, step=0.05,
                                            description="momentum", **narrow)
        c["hidden_units"] = widgets.IntSlider(value=self.training.hidden_units, min=1, max=8,
                                              description="hidden units", **narrow)
        c["mode"] = widgets.ToggleButtons(options=["batch", "stochastic"],
                                          value="stochastic" if self.stochastic else "batch")
        c["epochs"] = widgets.IntSlider(value=self.epochs_per_run, min=10, max=2000, step=10,
                                        description="epochs / run", **narrow)
        for name, action in (("step", lambda: self.step(1)), ("run", self.run),
                             ("reset", self.reset)):
            c[name] = widgets.Button(description=name, layout=widgets.Layout(width="80px"))
            c[name].on_click(lambda _, action=action: action())
        self._observe("hidden_units", lambda v: self.reset(v) if
                      v != self.training.hidden_units else self.update())
        self._observe("mode", lambda v: self._settings_changed())  # the title names the mode
        left = widgets.VBox([c["learning_rate"], c["momentum"], c["hidden_units"]])
        right = widgets.VBox([c["mode"], c["epochs"],
                              widgets.HBox([c["step"], c["run"], c["reset"]])])
        return widgets.HBox([left, right])


def training_explorer(hidden_units=3, learning_rate=0.5, momentum=0.0, stochastic=False,
                      epochs_per_run=200, seed=0):
    """Train an MLP on XOR with buttons, and watch the loss and the decision boundary.

    The network is ``MLP([2, hidden_units, 1], hidden="tanh",
    output="logistic", loss="cross_entropy", init="glorot", seed=seed)``
    (see :class:`annteach.views.XorTraining`); "step" trains one epoch,
    "run" ``epochs_per_run`` epochs (redrawing as it goes), "reset" goes back
    to the seeded initial weights. Momentum is kept across presses.

    Parameters
    ----------
    hidden_units : int, optional
    learning_rate : float, optional
    momentum : float, optional
    stochastic : bool, optional
        Update after every sample instead of after all four.
    epochs_per_run : int, optional
    seed : int, optional

    Returns
    -------
    TrainingExplorer
    """
    return TrainingExplorer(hidden_units, learning_rate, momentum, stochastic, epochs_per_run,
                            seed)


def training_figure(epochs=200, hidden_units=3, learning_rate=0.5, momentum=0.0,
                    stochastic=False, seed=0):
    """The view of :func:`training_explorer` after ``epochs`` epochs, as a static figure.

    Returns
    -------
    TrainingExplorer
        With ``.figure``, ``.artists`` and ``.training``; no controls.
    """
    return _static_figure(TrainingExplorer, hidden_units=hidden_units,
                          learning_rate=learning_rate, momentum=momentum,
                          stochastic=stochastic, seed=seed, epochs=epochs)


# -- digits ----------------------------------------------------------------------
class DigitExplorer(_Explorer):
    """A test digit, the CNN's class probabilities and its feature maps; see
    :func:`digit_explorer`.

    Attributes
    ----------
    model : CNN
        Anything with ``predict(X)`` -> (N, 10) and ``feature_maps(X, layer)``.
    images : ndarray, shape (N, 28, 28)
        Scaled images; ``labels`` (N,) their classes.
    index : int
        The image shown.
    only_wrong : bool
        Whether "previous"/"next" step through the misclassified images only.
    controls : dict
        ``"index"``: IntSlider; ``"misclassified"``: ToggleButton;
        ``"previous"``, ``"next"``: Buttons.
    artists : dict
        ``"digit"``: AxesImage of the image; ``"bars"``: the 10 bar Rectangles
        (height = probability, colour from :func:`annteach.views.bar_colors`);
        ``"maps"``: one AxesImage per first-layer feature map, on one colour scale
        (drawn by :func:`annteach.plots.plot_feature_maps`).
    """

    figsize = (9, 3.0)

    def __init__(self, model=None, images=None, labels=None, index=0, layer=0, figure=None,
                 interactive=True):
        if model is None:
            from .cnn import load_pretrained_cnn

            model = load_pretrained_cnn()
        if images is None:
            from .mnist import load_mnist, scale

            images, labels = load_mnist("test")
            images = scale(images)
        images = np.asarray(images)
        if images.ndim == 4 and images.shape[1] == 1:
            images = images[:, 0]
        if labels is None or images.ndim != 3 or np.shape(labels) != images.shape[:1]:
            raise ValueError(f"need images (N, H, W) and labels (N,), got {images.shape} "
                             f"and {None if labels is None else np.shape(labels)}")
        if not 0 <= index < len(images):
            raise ValueError(f"index must be in [0, {len(images)}), got {index}")
        self.model, self.images, self.labels = model, images, np.asarray(labels)
        self.index, self.layer, self.only_wrong = int(index), int(layer), False
        self._wrong = None
        super().__init__(figure, interactive)

    def probabilities(self):
        """The model's class probabilities for the current image, shape (K,)."""
        return np.asarray(self.model.predict(self.images[self.index:self.index + 1])[0])

    @property
    def wrong(self):
        """Indices of the misclassified images, increasing (computed on first use)."""
        if self._wrong is None:
            from .evaluation import misclassified

            predictions = np.asarray(self.model.predict(self.images)).argmax(axis=1)
            self._wrong = misclassified(self.labels, predictions)
        return self._wrong

    def _draw(self):
        from .plots.cnn import plot_feature_maps

        left, right = self.figure.subfigures(1, 2, width_ratios=[2.1, 3.0])
        ax_img, ax_bar = left.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
        digit = ax_img.imshow(self.images[0], cmap="gray_r", vmin=0, vmax=1)
        ax_img.set_axis_off()
        bars = ax_bar.bar(np.arange(self.model.predict(self.images[:1]).shape[1]), 0.0,
                          color=views.BAR_COLORS["other"])
        ax_bar.set_ylim(0, 1)
        ax_bar.set_xticks(np.arange(len(bars)))
        ax_bar.set_xlabel("class")
        ax_bar.set_ylabel("probability")
        maps = self._feature_maps()
        axes = plot_feature_maps(maps, ncols=min(8, -(-len(maps) // 2)), fig=right)
        right.suptitle(f"feature maps of conv layer {self.layer + 1} (dark = strong)",
                       fontsize=11)
        self.artists.update(digit=digit, bars=list(bars), maps=[ax.images[0] for ax in axes])

    def _dynamic(self):
        art = self.artists
        return [art["digit"], *art["bars"], *art["maps"], art["digit"].axes.title,
                art["bars"][0].axes.title]

    def _feature_maps(self):
        return self.model.feature_maps(self.images[self.index:self.index + 1], self.layer)[0]

    def _refresh(self):
        probs = self.probabilities()
        label = int(self.labels[self.index])
        for bar, p, color in zip(self.artists["bars"], probs, views.bar_colors(probs, label)):
            bar.set_height(float(p))
            bar.set_color(color)
        self.artists["digit"].set_data(self.images[self.index])
        maps = self._feature_maps()
        vmax = max(float(maps.max()), 1e-12)  # one scale for all, as plots.plot_feature_maps
        for image, feature_map in zip(self.artists["maps"], maps):
            image.set_data(feature_map)
            image.set_clim(0, vmax)
        top = int(np.argmax(probs))
        self.artists["digit"].axes.set_title(f"image {self.index}\nlabel {label}", fontsize=11)
        self.artists["bars"][0].axes.set_title(f"predicted {top} ({probs[top]:.0%})",
                                               fontsize=11)

    def show(self, index):
        """Show image ``index`` (the slider follows)."""
        if not 0 <= index < len(self.images):
            raise ValueError(f"index must be in [0, {len(self.images)}), got {index}")
        self.index = int(index)
        if "index" in self.controls:
            with self._hold():
                self.controls["index"].value = self.index
        else:
            self.update()

    def step(self, direction=1):
        """Show the next (``direction=1``) or previous (-1) image, or misclassified image
        when ``only_wrong``; wraps around at the ends."""
        if self.only_wrong:
            wrong = self.wrong
            if wrong.size == 0:
                return
            later = wrong[wrong > self.index] if direction > 0 else wrong[wrong < self.index]
            target = (later[0] if direction > 0 else later[-1]) if later.size else \
                (wrong[0] if direction > 0 else wrong[-1])
        else:
            target = (self.index + direction) % len(self.images)
        self.show(int(target))

    def set_only_wrong(self, on):
        """Page through the misclassified images only; jumps to the first one from here."""
        self.only_wrong = bool(on)
        toggle = self.controls.get("misclassified")
        if toggle is not None:
            toggle.value = self.only_wrong
            if self.only_wrong and self._wrong is None:  # the first time takes seconds
                toggle.description = f"classifying {len(self.images):,} images..."
                toggle.description = f"misclassified only ({self.wrong.size})"
        if self.only_wrong and self.index not in self.wrong:
            self.step(1)

    def _make_controls(self):
        import ipywidgets as widgets

        c = self.controls
        c["index"] = widgets.IntSlider(value=self.index, min=0, max=len(self.images) - 1,
                                       description="image", continuous_update=True)
        c["misclassified"] = widgets.ToggleButton(value=False, description="misclassified only",
                                                  tooltip="previous/next skip to mistakes",
                                                  layout=widgets.Layout(width="220px"))
        c["previous"] = widgets.Button(description="previous", layout=widgets.Layout(width="90px"))
        c["next"] = widgets.Button(description="next", layout=widgets.Layout(width="90px"))
        c["previous"].on_click(lambda _: self.step(-1))
        c["next"].on_click(lambda _: self.step(1))
        self._observe("index", self.show)
        self._observe("misclassified", self.set_only_wrong)
        return widgets.HBox([c["index"], c["previous"], c["next"], c["misclassified"]])


def digit_explorer(model=None, images=None, labels=None, index=0):
    """Browse test digits with the CNN's probabilities and first-layer feature maps.

    Left: the image; middle: the probability of each class (correct class
    green, a wrong top class red, the others grey); right: the activations of
    the first convolution layer (all on one scale, dark = strong). With
    "misclassified only" on, "previous"/"next" jump between the mistakes.

    Parameters
    ----------
    model : CNN, optional
        Default :func:`annteach.load_pretrained_cnn`.
    images : array_like, shape (N, 28, 28) or (N, 1, 28, 28), optional
        Scaled images; default the MNIST test set (then ``labels`` too).
    labels : array_like of int, shape (N,), optional
    index : int, optional
        The image shown first.

    Returns
    -------
    DigitExplorer
    """
    return DigitExplorer(model, images, labels, index)


def digit_figure(model=None, images=None, labels=None, index=0):
    """The view of :func:`digit_explorer` for image ``index``, as a static pyplot figure.

    Returns
    -------
    DigitExplorer
        With ``.figure`` and ``.artists``; no controls.
    """
    return _static_figure(DigitExplorer, model=model, images=images, labels=labels,
                          index=index)
