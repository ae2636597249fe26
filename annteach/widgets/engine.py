"""The machinery of the explorers: a figure redrawn fast, sent to the browser as a PNG.

An explorer is a few ipywidgets controls over one matplotlib figure. The figure's
artists are updated in place (``set_data``, ``set_height``, ...; only contour
lines are removed and drawn again) and the figure is shown as a PNG in an
``ipywidgets.Image``, so it works with the plain inline backend, in JupyterLab
and in a headless test. :class:`Explorer` does the drawing and the blitting;
:func:`png_bytes` encodes the picture and :func:`one_blas_thread` keeps BLAS from
spreading tiny products over several cores.
"""

import contextlib
import functools
import struct
import zlib

import numpy as np

__all__ = ["DPI", "Explorer", "one_blas_thread", "png_bytes"]

#: Pixels per inch of the explorers' figures.
DPI = 100


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
    """Shared machinery: a figure, its artists, controls and the redraw.

    Subclasses may set ``figsize`` and implement ``_draw()`` (make the axes and
    artists once), ``_refresh()`` (put the current state into the artists),
    ``_dynamic()`` (the artists that change between redraws) and
    ``_make_controls()`` (return the box of controls, filling ``self.controls``).

    Parameters
    ----------
    static : bool, optional
        Draw once into a new pyplot figure, without controls: the explorer's
        picture for slides and web viewers, where widgets do not run.

    Attributes
    ----------
    figure : matplotlib Figure
    controls : dict
        The ipywidgets controls by name (empty when static).
    artists : dict
        What the explorer drew, by name.
    image, widget : ipywidgets.Image, ipywidgets.VBox
        The picture and the whole explorer (None when static).
    """

    figsize = (9, 3.4)

    def __init__(self, static=False):
        self.controls = {}
        self.artists = {}
        self.image = self.widget = None
        self._holding = 0
        self._background, self._background_key, self._snapshots = None, None, {}
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
        if not static:
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
        with one_blas_thread():
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
