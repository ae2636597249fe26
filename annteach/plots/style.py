"""The course style: figures made for a 1280x720 slide, crisp, with their text alternatives.

Every notebook's setup cell calls ``at.plots.use_course_style()``. It sets matplotlib's
type sizes and line widths (:data:`COURSE_RC`) and, inside IPython, shows figures as
pixel-doubled ("retina") PNGs whose output metadata carries the figure's text alternative
(:func:`annteach.plots.alt_text`) and the size of its smallest text, which the slide tests
use to check that figure text is readable from the back of the room.

The size arithmetic
-------------------
Matplotlib draws at ``DPI`` = 100 dots per inch, so an inch of figure is 100 CSS pixels in a
page (the retina PNG has twice the pixels, and its metadata halves the displayed size again)
and a font of ``s`` points is ``s / 72 * 100`` CSS pixels tall. reveal.js lays the deck out
as a 1280x720 slide and scales it to the window: at a 1280x720 window it keeps a margin of
4 % (reveal's default ``margin: 0.04``), so the scale is ``1 / 1.04``. A figure shown at its
natural width (``figsize[0] * DPI`` CSS pixels, the course's sizes fit the slide) therefore
has text of ``s / 72 * DPI / 1.04`` pixels on the screen: :func:`text_height_px`. With the
smallest text at :data:`MIN_FONT_PT` = 12.5 pt that is 16.7 px, above the 16 px the course
asks for; the main figure sizes in :data:`FIGSIZE` are at least 60 % of the slide's width or
height once scaled.
"""

import base64
import contextlib

import matplotlib as mpl

from .alt import alt_text

__all__ = [
    "COURSE_RC",
    "DPI",
    "FIGSIZE",
    "FONT_PT",
    "MIN_FONT_PT",
    "MIN_TEXT_PX",
    "REVEAL_SCALE",
    "SLIDE_HEIGHT",
    "SLIDE_WIDTH",
    "course_style",
    "figure_png",
    "figsize",
    "smallest_font_pt",
    "text_height_px",
    "use_course_style",
]

#: The slide in CSS pixels (notebooks' RISE metadata and the offline decks).
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
#: Scale reveal.js applies to a 1280x720 slide in a 1280x720 window (``margin: 0.04``).
REVEAL_SCALE = 1 / 1.04
#: Figure resolution: 1 inch = 100 CSS pixels.
DPI = 100
#: Type sizes in points, from the slide's body text (about 20 px) down to the smallest text.
FONT_PT = {"title": 17, "label": 16, "base": 15, "legend": 14, "tick": 14, "annotation": 13}
#: Smallest text a course figure may contain.
MIN_FONT_PT = 12.5
#: Smallest figure text on a 1280x720 screen that the course accepts, in pixels.
MIN_TEXT_PX = 16.0
#: Figure sizes in inches for a slide that holds a heading and the figure. On the screen
#: (x DPI x REVEAL_SCALE): "wide" 1154x481 px (90 % of the width), "square" 615x538 px (75 %
#: of the height), "strip" 1154x288 px (90 % of the width) for galleries under a line of text.
FIGSIZE = {"wide": (12.0, 5.0), "square": (6.4, 5.6), "strip": (12.0, 3.0)}

COURSE_RC = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.figsize": FIGSIZE["wide"],
    "figure.facecolor": "white",
    "figure.constrained_layout.use": True,
    "font.size": FONT_PT["base"],
    "axes.titlesize": FONT_PT["title"],
    "axes.labelsize": FONT_PT["label"],
    "xtick.labelsize": FONT_PT["tick"],
    "ytick.labelsize": FONT_PT["tick"],
    "legend.fontsize": FONT_PT["legend"],
    "legend.title_fontsize": FONT_PT["legend"],
    "figure.titlesize": FONT_PT["title"],
    "lines.linewidth": 2.5,
    "lines.markersize": 9,
    "axes.linewidth": 1.2,
    "xtick.major.width": 1.2,
    "ytick.major.width": 1.2,
    "xtick.major.size": 5,
    "ytick.major.size": 5,
    "grid.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": "viridis",
    "axes.prop_cycle": mpl.cycler(color=["#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                         "#E69F00", "#56B4E9", "#000000"]),
}


def figsize(kind):
    """A course figure size in inches: ``"wide"``, ``"square"`` or ``"strip"``."""
    if kind not in FIGSIZE:
        raise ValueError(f"unknown figure size {kind!r}; choose from {sorted(FIGSIZE)}")
    return FIGSIZE[kind]


def text_height_px(font_pt, dpi=DPI, scale=REVEAL_SCALE):
    """Height on the screen, in pixels, of text of ``font_pt`` points in a figure.

    Parameters
    ----------
    font_pt : float
        Font size in points.
    dpi : float
        Figure resolution: CSS pixels per inch at the figure's natural size.
    scale : float
        Displayed size over natural size (reveal's slide scale times any shrinking of the
        image by the page).

    Returns
    -------
    float
        The font's em height in screen pixels.
    """
    if font_pt <= 0 or dpi <= 0 or scale <= 0:
        raise ValueError(f"font size, dpi and scale must be positive, got {font_pt}, {dpi}, "
                         f"{scale}")
    return font_pt / 72 * dpi * scale


def smallest_font_pt(fig):
    """Size in points of the smallest visible, non-empty text in ``fig`` (tick labels too).

    Returns
    -------
    float or None
        None when the figure has no text.
    """
    from matplotlib.text import Text

    fig.draw_without_rendering()  # tick labels get their text when the figure is drawn
    sizes = [
        text.get_fontsize()
        for text in fig.findobj(Text)
        if text.get_visible() and text.get_text().strip() and _shown(text)
    ]
    return min(sizes) if sizes else None


def _shown(artist):
    """False if the artist or an axes holding it is hidden."""
    axes = getattr(artist, "axes", None)
    return axes is None or axes.get_visible()


def figure_png(fig, retina=True):
    """A figure as the course shows it: PNG data and display metadata.

    Parameters
    ----------
    fig : matplotlib Figure
    retina : bool
        Draw at twice the resolution and display at the natural size (crisp on projectors
        and high-density screens).

    Returns
    -------
    data : str or None
        The PNG, base64-encoded (None for an empty figure, as IPython does).
    metadata : dict
        ``width``, ``height`` (CSS pixels), ``alt`` (when the figure is described) and
        ``annteach``: ``{"dpi": CSS pixels per inch, "font_pt": smallest text in points,
        "font_px": its height in CSS pixels at the natural size}`` (both None for a figure
        without text).
    """
    from io import BytesIO

    if not fig.axes and not fig.lines:
        return None, {}
    font_pt = smallest_font_pt(fig)
    factor = 2 if retina else 1
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi * factor, bbox_inches="tight",
                facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor(),
                metadata={"Software": None})
    png = buffer.getvalue()
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    metadata = {"width": width // factor, "height": height // factor}
    text = alt_text(fig)
    if text:
        metadata["alt"] = text
    metadata["annteach"] = {"dpi": float(fig.dpi), "font_pt": None, "font_px": None}
    if font_pt is not None:
        metadata["annteach"].update(font_pt=float(font_pt),
                                    font_px=round(font_pt / 72 * fig.dpi, 3))
    return base64.b64encode(png).decode("ascii"), metadata


def _png_formatter(fig):
    data, metadata = figure_png(fig)
    if data is None:
        return None
    return data, metadata


def _install_formatter(shell):
    """Show matplotlib figures in ``shell`` through :func:`figure_png` only."""
    from matplotlib.figure import Figure

    formatters = shell.display_formatter.formatters
    for formatter in formatters.values():
        formatter.pop(Figure, None)
    formatters["image/png"].for_type(Figure, _png_formatter)


def _load_backend():
    """Load matplotlib's backend now: pyplot loads it lazily, at the first figure, and the
    inline backend then resets IPython's figure formatters (and may set rcParams)."""
    import importlib

    import matplotlib.pyplot as plt  # noqa: F401

    try:
        backend = mpl.get_backend(auto_select=False)  # matplotlib >= 3.10
    except TypeError:
        backend = mpl.rcParams["backend"]
    if isinstance(backend, str) and backend.startswith("module://"):
        importlib.import_module(backend[len("module://"):])


def use_course_style(shell=None):
    """Apply the course style: slide-sized type and lines, retina PNGs with alt text.

    Call it once in a notebook's setup cell, after ``import matplotlib.pyplot``.

    Parameters
    ----------
    shell : IPython InteractiveShell, optional
        Where to install the figure display; the running IPython when None (outside
        IPython only matplotlib's settings change).

    Returns
    -------
    dict
        The rcParams that were set (:data:`COURSE_RC`).
    """
    _load_backend()
    mpl.rcParams.update(COURSE_RC)
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            get_ipython = None
        shell = get_ipython() if get_ipython is not None else None
    if shell is not None and hasattr(shell, "display_formatter"):
        _install_formatter(shell)
    return dict(COURSE_RC)


@contextlib.contextmanager
def course_style():
    """Context manager: the course's matplotlib settings inside the ``with`` block only."""
    with mpl.rc_context(COURSE_RC):
        yield
