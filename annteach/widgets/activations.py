"""The activation explorer: an activation, its derivative and a tangent, at a chosen point."""

import numpy as np

from .. import views
from ..activations import ACTIVATIONS, get_activation
from .engine import Explorer

__all__ = ["ActivationExplorer"]


class ActivationExplorer(Explorer):
    """Pick an activation, a range of pre-activations and a point.

    Left: ``g(a)`` with its tangent at ``a0`` (dashed, black); right: the
    derivative ``g'(a)``, computed from the output as in backpropagation
    (``g_derivative(g(a))``), with the slope at ``a0`` marked (white dots
    outlined in black). The values at ``a0`` are in the caption above the
    figure (in the static figure: the titles).

    Parameters
    ----------
    name : str, optional
        A key of :data:`annteach.ACTIVATIONS`.
    a_range : (float, float), optional
        Pre-activations shown (the slider allows -10 to 10).
    a0 : float, optional
        Where the tangent touches (moved into ``a_range`` if outside).
    n : int, optional
        Points drawn.
    static : bool, optional
        Draw the view once into a pyplot figure, without controls.

    Attributes
    ----------
    name, a_range, a0
        The current settings.
    controls : dict
        ``"name"``: Dropdown; ``"range"``: FloatRangeSlider; ``"a0"``: FloatSlider.
    artists : dict
        ``"g"``, ``"derivative"``: Line2D of ``g(a)`` and ``g'(a)`` over ``a``;
        ``"tangent"``: Line2D of the tangent at ``a0``; ``"point"``,
        ``"derivative_point"``: Line2D markers at ``a0``.
    """

    def __init__(self, name="logistic", a_range=(-5.0, 5.0), a0=1.0, n=401, static=False):
        self.n = int(n)
        self._settle(name, a_range, a0)
        super().__init__(static)

    def _settle(self, name, a_range, a0):
        """Check and take new settings (``a0`` moved into the range)."""
        get_activation(name)  # an unknown name is an error here, before anything changes
        lo, hi = (float(v) for v in a_range)
        if not hi > lo:
            raise ValueError(f"a_range must be (lo, hi) with hi > lo, got {a_range}")
        self.name, self.a_range = name, (lo, hi)
        self.a0 = float(np.clip(a0, lo, hi))

    @property
    def a(self):
        """The pre-activations drawn, shape (n,)."""
        return np.linspace(*self.a_range, self.n)

    def _draw(self):
        from ..plots import plot_activation
        from ..plots.colors import INK

        ax_g, ax_d = self.figure.subplots(1, 2)
        g_line = plot_activation(self.name, self.a, ax=ax_g)
        d_line = plot_activation(self.name, self.a, derivative=True, ax=ax_d)
        (tangent,) = ax_g.plot([], [], "--", color=INK, lw=2)
        point_style = {"marker": "o", "ls": "none", "color": "white", "mec": INK, "mew": 2,
                       "ms": 11, "zorder": 3}
        (point,) = ax_g.plot([], [], **point_style)
        (d_point,) = ax_d.plot([], [], **point_style)
        for ax in (ax_g, ax_d):
            ax.set_title("")
        self.artists.update(g=g_line, derivative=d_line, tangent=tangent, point=point,
                            derivative_point=d_point)

    def _refresh(self):
        from ..plots.activations import broken_at_jump

        g, g_derivative = ACTIVATIONS[self.name]
        a = self.a
        y = g(a)
        dy = g_derivative(y)
        self._y0, self._slope, line = views.tangent(self.name, self.a0, a)
        art = self.artists
        art["g"].set_data(a, y)
        art["derivative"].set_data(*broken_at_jump(self.name, a, dy))  # ReLU' in two pieces
        art["tangent"].set_data(a, line)
        art["point"].set_data([self.a0], [self._y0])
        art["derivative_point"].set_data([self.a0], [self._slope])
        for ax, values in ((art["g"].axes, y), (art["derivative"].axes, dy)):
            lo, hi = float(values.min()), float(values.max())
            pad = 0.1 * (hi - lo) if hi > lo else 0.5
            ax.set_xlim(*self.a_range)
            ax.set_ylim(lo - pad, hi + pad)  # from g, not the tangent, which may shoot off

    def _captions(self):
        a0 = f"{self.a0:.2f}"
        return [(self.artists["g"].axes, f"{self.name}: g({a0}) = {self._y0:.3f}"),
                (self.artists["derivative"].axes, f"slope g'({a0}) = {self._slope:.3f}")]

    def _describe(self):
        lo, hi = self.a_range
        a, dy = (np.asarray(v, dtype=float) for v in self.artists["derivative"].get_data())
        peak = np.nanmax(dy)   # a NaN breaks ReLU's derivative in two pieces
        top = a[dy >= peak - 1e-9 * max(1.0, abs(peak))]
        where = f"at a = {top[0]:.2f}" if top.size == 1 else \
            f"for a from {top[0]:.2f} to {top[-1]:.2f}"
        return (f"Activation explorer. Left: the {self.name} activation g(a) for a from "
                f"{lo:g} to {hi:g}, with its tangent at a0 = {self.a0:.2f}, where "
                f"g(a0) = {self._y0:.3f}. Right: its derivative g'(a), computed from the "
                f"output, largest ({peak:.3g}) {where}; at a0 the slope is "
                f"{self._slope:.3f}.")

    def _dynamic(self):
        art = self.artists
        return [art["g"], art["derivative"], art["tangent"], art["point"],
                art["derivative_point"]]

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
        self._settle(self.name if name is None else name,
                     self.a_range if a_range is None else a_range,
                     self.a0 if a0 is None else a0)
        if not self.controls:
            self.update()
            return
        lo, hi = self.a_range
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
