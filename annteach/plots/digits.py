"""Galleries of digit images: many small images tiled into one picture."""

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_digit_gallery", "tile_images"]


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


def plot_digit_gallery(images, rows=15, cols=24, ax=None, captions=None, cmap="gray"):
    """Show digit images as one tiled picture: no gaps, no ticks.

    The lecture's gallery is the first 360 test images in 15 rows of 24.
    Drawing one ``imshow`` of the tiled image is much faster than one axes
    per digit.

    Parameters
    ----------
    images : array_like, shape (N, h, w)
        Grey images, N at most ``rows * cols`` (shown in row order).
    rows, cols : int, optional
        Layout of the gallery.
    ax : matplotlib Axes, optional
        Where to draw; a new figure 7.2 inches wide when None.
    captions : sequence of str, optional
        One short text per image, written in its top-left corner
        (for example the predicted class).
    cmap : str, optional
        Colour map (grey by default).

    Returns
    -------
    image : matplotlib AxesImage
        ``image.get_array()`` is the tiled image of :func:`tile_images`,
        shape (rows * h, cols * w), drawn with interpolation "nearest".
    """
    tiled = tile_images(images, rows, cols)
    n, h, w = np.shape(images)
    if captions is not None and len(captions) != n:
        raise ValueError(f"got {len(captions)} captions for {n} images")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.2, 7.2 * rows * h / (cols * w)))
    image = ax.imshow(tiled, cmap=cmap, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for k, caption in enumerate([] if captions is None else captions):
        ax.text((k % cols) * w + 1, (k // cols) * h + 1, caption, color="yellow",
                fontsize=8, ha="left", va="top")
    return image
