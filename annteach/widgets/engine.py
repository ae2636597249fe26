"""The machinery of the explorers: a figure redrawn fast, sent to the browser as a PNG.

An explorer is a few ipywidgets controls, a line of text and one matplotlib figure.
The figure's artists are updated in place (``set_data``, ``set_height``, ...; only
contour lines are removed and drawn again) and the figure is shown as a PNG in an
``ipywidgets.Image``, so it works with the plain inline backend, in JupyterLab and
in a headless test. The numbers that change with every move of a slider (titles,
readings) are HTML text above the figure, not figure text: the browser sets text
far faster than matplotlib renders it, and a screen reader can read it. The static
twin (``static=True``) puts the same text into the panels' titles.

:class:`Explorer` does the drawing and the blitting; :func:`png_bytes` encodes the
picture and :func:`one_blas_thread` keeps BLAS from spreading tiny products over
several cores.
"""

import asyncio
import contextlib
import functools
import html
import struct
import zlib

import numpy as np

__all__ = ["DPI", "Explorer", "one_blas_thread", "output_grid", "png_bytes"]

#: Pixels per inch of the live explorers' figures. The picture is shown as wide as the
#: static twin at the course's 100 dpi (the browser scales it), so its text has the
#: course's size on the screen; fewer pixels make each redraw cheaper.
DPI = 80
#: Seconds without a change before an explorer's expensive part is recomputed
#: (see :meth:`Explorer._later`).
SETTLE_SECONDS = 0.25


def png_bytes(rgba, level=1):
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
    rgba = np.asarray(rgba)
    h, w, _ = rgba.shape
    rows = np.empty((h, 1 + 3 * w), dtype=np.uint8)
    rows[:, 0] = 0  # filter type 0 ("none") at the start of every row
    rows[:, 1:].reshape(h, w, 3)[...] = rgba[:, :, :3]  # one copy, straight into place

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data)))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8 bits, RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), level)) + chunk(b"IEND", b""))


def output_grid(static):
    """Grid points per side of a network-output panel (:class:`annteach.plots.DecisionBoundary`).

    The lecture's 101 in a static figure; 51 live, shown with the same bilinear
    smoothing: a quarter of the work at every step of a slider (the network's
    outputs and the decision boundary's contour), and no visible difference at
    the explorer's size.
    """
    return 101 if static else 51


@functools.cache
def _blas_controller():
    """threadpoolctl's view of the loaded BLAS (found once: it takes a millisecond)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():
    """A context in which BLAS uses one thread.

    The explorers multiply tiny matrices (one image, a 2-3-1 network); extra BLAS
    threads only wait for each other, which costs tens of milliseconds per
    redraw on a busy 2-core machine (against well under 1 ms on one thread).
    """
    return _blas_controller().limit(limits=1, user_api="blas")


class Explorer:
    """Shared machinery: a figure, its artists, controls, a caption and the redraw.

    Subclasses implement ``_draw()`` (make the axes and artists once),
    ``_refresh()`` (put the current state into the artists), ``_dynamic()``
    (the artists that change between redraws), ``_captions()`` (the changing
    text, one ``(axes, text)`` pair per panel), ``_describe()`` (the figure's
    text alternative for the current state) and ``_make_controls()`` (return the
    box of controls, filling ``self.controls``). The figure has the course's
    wide size and is drawn with the course's type sizes
    (:func:`annteach.plots.course_style`), whether or not the notebook uses them.

    Parameters
    ----------
    static : bool, optional
        Draw once into a new pyplot figure, without controls: the explorer's
        picture for slides and web viewers, where widgets do not run. Its
        captions are the panels' titles and its text alternative
        (:func:`annteach.plots.alt_text`) describes the state drawn.

    Attributes
    ----------
    figure : matplotlib Figure
    figsize : (float, float)
        Its size in inches (``annteach.plots.FIGSIZE["wide"]``).
    static : bool
    controls : dict
        The ipywidgets controls by name (empty when static).
    artists : dict
        What the explorer drew, by name.
    caption, image, widget : ipywidgets.HTML, ipywidgets.Image, ipywidgets.VBox
        The changing text, the picture and the whole explorer (None when static).
    """

    def __init__(self, static=False):
        from ..plots.style import DPI as COURSE_DPI
        from ..plots.style import FIGSIZE, course_style

        self.figsize, self.static = FIGSIZE["wide"], bool(static)
        self.controls = {}
        self.artists = {}
        self.caption = self.image = self.widget = None
        self._holding = 0
        self._pending = None
        self._background, self._background_key, self._snapshots = None, None, {}
        with course_style():
            if static:
                import matplotlib.pyplot as plt

                self.figure = plt.figure(figsize=self.figsize, layout="constrained")
            else:
                from matplotlib.backends.backend_agg import FigureCanvasAgg
                from matplotlib.figure import Figure

                # Not a pyplot figure: the inline backend must not show it a second time.
                self.figure = Figure(figsize=self.figsize, dpi=DPI, layout="constrained")
                FigureCanvasAgg(self.figure)
            with one_blas_thread():
                self._draw()
                self._refresh()
            self._describe_figure()
            if static:
                for ax, text in self._captions():
                    if text:  # an empty caption only ends the one before it
                        ax.set_title(text)
            else:
                import ipywidgets as widgets

                # Lay the figure out once (tick labels made now get the course's sizes);
                # redraws then skip the layout engine.
                self.figure.canvas.draw()
                self.figure.set_layout_engine("none")
                width = f"{round(self.figsize[0] * COURSE_DPI)}px"
                self.image = widgets.Image(format="png", layout=widgets.Layout(
                    width=width, max_width="100%", height="auto"))
                self.caption = widgets.HTML(layout=widgets.Layout(width=width,
                                                                  max_width="100%"))
                self._box = self._make_controls()
                self.widget = widgets.VBox([self._box, self.caption, self.image])
                self._render()
                self._write_caption()

    # -- redrawing -----------------------------------------------------------
    def update(self):
        """Put the current state into the artists and caption, and redraw the figure."""
        if self._holding:
            return
        with one_blas_thread():
            self._refresh()
        self._describe_figure()
        self._render()
        self._write_caption()

    def _describe_figure(self):
        from ..plots.alt import describe

        describe(self.figure, self._describe())

    def _write_caption(self):
        """The captions as HTML, each over its panel (from the panel's left edge to the
        next panel's), wrapping there when long."""
        if self.caption is None:
            return
        width = self.figure.bbox.width
        lefts = sorted((ax.bbox.x0 / width, text) for ax, text in self._captions())
        edges = [left for left, _ in lefts] + [1.0]
        parts, end = [], 0.0
        for (_, text), left, right in zip(lefts, edges, edges[1:]):
            parts.append(f'<span style="flex:0 0 {100 * (right - left):.1f}%;margin-left:'
                         f'{100 * (left - end):.1f}%;text-align:center">'
                         f"{html.escape(text)}</span>")
            end = right
        self.caption.value = ('<div style="display:flex;font-size:18px;line-height:1.3">'
                              + "".join(parts) + "</div>")

    def _later(self, action):
        """Run ``action`` (then redraw) once the controls rest for ``SETTLE_SECONDS``.

        For a part of the picture too slow to recompute at every step of a
        slider: while the kernel's event loop runs (in a notebook) ``action`` is
        put off and each new call replaces the waiting one; elsewhere (a script,
        a test, a static figure) it runs at once. Returns True when put off.
        """
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if self.image is None or loop is None:
            action()
            return False

        def run():
            self._pending = None
            action()
            self.update()

        self._pending = loop.call_later(SETTLE_SECONDS, run)
        return True

    def _captions(self):
        return []

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
        self.image.value = png_bytes(canvas.buffer_rgba())

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
