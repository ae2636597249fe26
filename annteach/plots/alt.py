"""Text alternatives of figures: what a figure shows and what to notice, for screen readers.

Every plot helper describes what it drew with :func:`describe` (a default built from the
data); a notebook may replace it with its own words, ``at.plots.describe(fig, "...")``. The
course style's display formatter (:func:`annteach.plots.use_course_style`) puts
:func:`alt_text` of each shown figure into the output's metadata,
``output.metadata["image/png"]["alt"]``, from where the course's nbconvert templates write
it into the ``alt`` attribute of the image in the HTML pages and the slide decks.
"""

__all__ = ["alt_text", "describe", "describe_axes_default"]

_ATTRIBUTE = "_annteach_alt"
_DEFAULT = "_annteach_alt_is_default"
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def describe(target, text):
    """Set the text alternative of a figure or of one of its panels (axes).

    Parameters
    ----------
    target : matplotlib Figure or Axes
        A figure's own description replaces the panels' ones.
    text : str
        One or two plain sentences: what the figure shows and what to notice.

    Returns
    -------
    str
        ``text``, stripped.
    """
    from matplotlib.artist import Artist

    if not isinstance(target, Artist) or not hasattr(target, "get_figure"):
        raise TypeError(f"describe needs a matplotlib Figure or Axes, got {type(target).__name__}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a text alternative must be a non-empty string")
    text = " ".join(text.split())
    setattr(target, _ATTRIBUTE, text)
    setattr(target, _DEFAULT, False)
    return text


def describe_axes_default(ax, text):
    """A plot helper's description of ``ax``: it replaces another helper's default (the last
    helper drawing into the axes knows most) but never what a notebook set with
    :func:`describe`."""
    if not getattr(ax, _ATTRIBUTE, None) or getattr(ax, _DEFAULT, False):
        describe(ax, text)
        setattr(ax, _DEFAULT, True)
    return getattr(ax, _ATTRIBUTE)


def alt_text(fig):
    """The text alternative of a figure.

    Parameters
    ----------
    fig : matplotlib Figure

    Returns
    -------
    str or None
        The figure's own description if set; else the descriptions of its visible axes in
        reading order (top to bottom, left to right), each introduced by its position when
        there are several; None when nothing is described.
    """
    own = getattr(fig, _ATTRIBUTE, None)
    if own:
        return own
    described = []
    for ax in fig.get_axes():
        text = getattr(ax, _ATTRIBUTE, None)
        if text and ax.get_visible():
            x0, y0, _, y1 = ax.get_position().extents
            described.append((-round(y1, 2), round(x0, 2), text))
    if not described:
        return None
    described.sort(key=lambda item: item[:2])
    texts = [text for _, _, text in described]
    if len(texts) == 1:
        return texts[0]
    names = [_ORDINALS[i] if i < len(_ORDINALS) else f"panel {i + 1}" for i in range(len(texts))]
    parts = [f"{name.capitalize()} panel: {_sentence(text)}" for name, text in zip(names, texts)]
    return f"{len(texts)} panels. " + " ".join(parts)


def _sentence(text):
    return text if text.endswith((".", "!", "?")) else text + "."
