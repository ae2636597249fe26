"""Galleries of digit images: many small images tiled into one picture."""

import matplotlib.pyplot as plt
import numpy as np

from .alt import describe_axes_default
from .colors import DIGIT_CMAP, PREDICTION_COLOR, TRUTH_COLOR, text_color
from .style import DPI, FONT_PT

__all__ = ["plot_digit_gallery", "tile_images"]

# Largest gallery drawn by default, in CSS pixels: most of a slide below a heading.
_MAX_GALLERY = (1160, 640)


def tile_images(images, rows, cols, fill=0):
    """Tile images row by row into one large image, without gaps.

    Parameters
    ----------
    images : array_like, shape (N, h, w)
        At most ``rows * cols`` images; missing tiles are filled with ``fill``.
    rows, cols : int
        Tiles per column and per row.
    fill : scalar, optional
        Value of the pixels of empty tiles.

    Returns
    -------
    tiled : ndarray, shape (rows * h, cols * w)
        Image ``k`` occupies tile row ``k // cols``, tile column ``k % cols``;
        same dtype as ``images``.
    """
    images = np.asarray(images)
    rows, cols = int(rows), int(cols)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, h, w), got {images.shape}")
    if rows < 1 or cols < 1:
        raise ValueError(f"rows and cols must be positive, got {rows} and {cols}")
    n, h, w = images.shape
    if n > rows * cols:
        raise ValueError(f"{n} images do not fit into {rows} x {cols} tiles")
    padded = np.full((rows * cols, h, w), fill, dtype=images.dtype)
    padded[:n] = images
    # (rows, cols, h, w) -> (rows, h, cols, w): each tile row becomes h image rows.
    return padded.reshape(rows, cols, h, w).transpose(0, 2, 1, 3).reshape(rows * h, cols * w)


def plot_digit_gallery(images, rows=15, cols=24, ax=None, captions=None, cmap=DIGIT_CMAP,
                       labels=None, pixel_scale=None, title=None):
    """Show digit images as one tiled picture: no gaps, no ticks, dark ink on light ground.

    The lecture's gallery is the first 360 test images in 15 rows of 24.
    Drawing one ``imshow`` of the tiled image is much faster than one axes
    per digit. Fewer images than ``rows * cols`` shrink the grid (one row:
    as many columns as images), so the gallery has no empty slots at its end
    row... except the last row of a multi-row gallery.

    Parameters
    ----------
    images : array_like, shape (N, h, w)
        Grey images, N at most ``rows * cols`` (shown in row order).
    rows, cols : int, optional
        Layout of the gallery.
    ax : matplotlib Axes, optional
        Where to draw; when None, a new figure that shows every image pixel as
        ``pixel_scale`` CSS pixels (3 pixels of the retina image: an integer scale,
        so the digits stay sharp).
    captions : sequence of str, optional
        One short text per image, written in its top-left corner in the
        prediction colour (for example the network's answer).
    cmap : str, optional
        Colour map (dark ink on a light ground by default).
    labels : sequence of int, optional
        The true class of each image: written in its top-right corner in the
        truth colour when ``captions`` are given, and named in the text
        alternative.
    pixel_scale : float, optional
        CSS pixels per image pixel of a new figure (twice it an integer); by default
        the largest such scale that keeps the gallery within 1160x640 CSS pixels
        (the 15x24 gallery: 1.5, i.e. 1008x630).
    title : str, optional
        Title above the gallery; with captions, by default a key to the two colours.

    Returns
    -------
    image : matplotlib AxesImage
        ``image.get_array()`` is the tiled image of :func:`tile_images`,
        shape (rows * h, cols * w), drawn with interpolation "nearest".
    """
    n, h, w = np.shape(images)
    if captions is not None and len(captions) != n:
        raise ValueError(f"got {len(captions)} captions for {n} images")
    if labels is not None and len(labels) != n:
        raise ValueError(f"got {len(labels)} labels for {n} images")
    if 0 < n < rows * cols:  # no empty slots: shrink the grid to the images
        cols = min(cols, n)
        rows = -(-n // cols)
    tiled = tile_images(images, rows, cols)
    if ax is None:
        if pixel_scale is None:
            fit = min(_MAX_GALLERY[0] / (cols * w), _MAX_GALLERY[1] / (rows * h))
            pixel_scale = max(np.floor(2 * fit) / 2, 0.5)
        fig = plt.figure(figsize=(cols * w * pixel_scale / DPI, rows * h * pixel_scale / DPI),
                         layout="none")
        ax = fig.add_axes((0, 0, 1, 1))
    image = ax.imshow(tiled, cmap=cmap, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.spines[:].set_visible(False)
    caption_style = {"fontsize": FONT_PT["annotation"], "fontweight": "bold", "va": "top"}
    for k, caption in enumerate([] if captions is None else captions):
        ax.text((k % cols) * w + 1, (k // cols) * h + 1, caption, ha="left",
                color=text_color(PREDICTION_COLOR), **caption_style)
        if labels is not None:
            ax.text((k % cols + 1) * w - 1, (k // cols) * h + 1, str(labels[k]), ha="right",
                    color=text_color(TRUTH_COLOR), **caption_style)
    if title is None and captions is not None:
        title = "network's answer (top left, purple)" + (
            ", true digit (top right, green)" if labels is not None else "")
    if title:
        ax.set_title(title, loc="left", fontsize=FONT_PT["legend"])
    text = f"Gallery of {n} handwritten digit images in {rows} row(s) of {cols}, dark on light"
    if captions is not None:
        text += "; each captioned top left with: " + ", ".join(map(str, captions))
    if labels is not None:
        text += "; the true digits are: " + ", ".join(str(int(t)) for t in labels)
    describe_axes_default(ax, text + ".")
    return image
