"""Figures of the convolutional-network lecture: a convolution step by step,
the misclassified digits, the learned filters and the feature maps."""

import matplotlib.pyplot as plt
import numpy as np

from .alt import describe
from .colors import DIGIT_CMAP, PREDICTION_COLOR, TRUTH_COLOR, text_color, weight_cmap
from .style import FIGSIZE, FONT_PT

__all__ = ["plot_convolution", "plot_feature_maps", "plot_filters", "plot_filters_and_maps",
           "plot_misclassified"]


def _symmetric_limit(A):
    """Largest absolute value of ``A`` (at least a tiny positive number)."""
    return max(float(np.max(np.abs(A))), 1e-12)


def _grid(fig, n, ncols, figsize):
    """A figure with ``n`` image axes in rows of ``ncols``; unused axes hidden."""
    nrows = -(-n // ncols)
    if fig is None:
        fig = plt.figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        ax.spines[:].set_visible(False)
    return fig, axes.ravel()[:n]


def _show_images(images, ncols, fig, figsize, diverging, titles=None, colorbar=None):
    """Draw 2-D arrays on a grid; a shared symmetric colour scale if ``diverging``; one
    colour bar labelled ``colorbar`` for all of them when given."""
    fig, axes = _grid(fig, len(images), ncols, figsize)
    if diverging:
        limit = _symmetric_limit(images)
        kwargs = {"cmap": weight_cmap(), "vmin": -limit, "vmax": limit}
    else:
        kwargs = {"cmap": DIGIT_CMAP, "vmin": 0.0, "vmax": max(float(np.max(images)), 1e-12)}
    drawn = None
    for i, (ax, image) in enumerate(zip(axes, images)):
        drawn = ax.imshow(image, **kwargs)
        if titles is not None:
            ax.set_title(titles[i], fontsize=FONT_PT["annotation"])
    if colorbar and drawn is not None:
        fig.colorbar(drawn, ax=list(axes), label=colorbar, shrink=0.9)
    return axes


def plot_convolution(image, kernel, feature_map, fig=None):
    """Input image, kernel and the feature map the kernel makes, side by side.

    Parameters
    ----------
    image : array_like, shape (H, W)
        A scaled digit (values in [0, 1]).
    kernel : array_like, shape (k, k)
    feature_map : array_like, shape (H', W')
        The convolution of ``image`` with ``kernel``.
    fig : matplotlib.figure.Figure, optional
        Drawn into (empty); a new course-sized wide figure when None.

    Returns
    -------
    axes : list of 3 matplotlib.axes.Axes
        Input, kernel, feature map; kernel and feature map use the course's
        weight scale (purple < 0 < green) centred on 0, each with a colour bar.
    """
    image, kernel, feature_map = (np.asarray(a, dtype=float) for a in (image, kernel,
                                                                       feature_map))
    for name, a in (("image", image), ("kernel", kernel), ("feature_map", feature_map)):
        if a.ndim != 2:
            raise ValueError(f"{name} must be a 2-D array, got shape {a.shape}")
    if fig is None:
        fig = plt.figure(figsize=FIGSIZE["wide"], layout="constrained")
    axes = list(fig.subplots(1, 3))
    axes[0].imshow(image, cmap=DIGIT_CMAP, vmin=0, vmax=max(float(image.max()), 1e-12))
    axes[0].set_title(f"input {image.shape[0]}x{image.shape[1]}")
    for ax, a, title, label in (
            (axes[1], kernel, f"kernel {kernel.shape[0]}x{kernel.shape[1]}", "weight"),
            (axes[2], feature_map,
             f"feature map {feature_map.shape[0]}x{feature_map.shape[1]}", "response")):
        limit = _symmetric_limit(a)
        im = ax.imshow(a, cmap=weight_cmap(), vmin=-limit, vmax=limit)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label=label)
        ax.set_title(title)
    if kernel.size <= 49:  # small kernels: write the weights into the cells
        for (i, j), w in np.ndenumerate(kernel):
            axes[1].text(j, i, f"{w:g}", ha="center", va="center",
                         fontsize=FONT_PT["annotation"])
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    i, j = np.unravel_index(np.argmax(np.abs(feature_map)), feature_map.shape)
    rows = "; ".join(" ".join(f"{w:g}" for w in row) for row in kernel) \
        if kernel.size <= 49 else f"{kernel.size} weights"
    describe(fig, f"A {image.shape[0]}x{image.shape[1]} input image, the {kernel.shape[0]}x"
             f"{kernel.shape[1]} kernel (rows: {rows}) and the {feature_map.shape[0]}x"
             f"{feature_map.shape[1]} feature map it makes, which ranges from "
             f"{feature_map.min():.2g} to {feature_map.max():.2g}; its strongest response is "
             f"at row {i}, column {j}.")
    return axes


def plot_misclassified(images, top, labels, ncols=5, fig=None):
    """A gallery of misclassified digits: the network's guesses above each (purple
    ``guess 3, 5, 8``), the true digit below (green ``true 5``), a key on top.

    Parameters
    ----------
    images : array_like, shape (n, 28, 28) or (n, 1, 28, 28)
        The digits (raw or scaled).
    top : array_like of int, shape (n, k)
        Predicted classes of each digit, most probable first (see
        :func:`annteach.top_k`).
    labels : array_like of int, shape (n,)
        Actual classes.
    ncols : int, optional
        Digits per row.
    fig : matplotlib.figure.Figure, optional
        Drawn into (empty); a new course-sized wide figure when None.

    Returns
    -------
    axes : ndarray of matplotlib.axes.Axes, shape (n,)
        Each axes' title is ``"guess a, b, c"`` and its x label ``"true d"``.
    """
    images = np.asarray(images, dtype=float)
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]
    top, labels = np.asarray(top), np.asarray(labels)
    if images.ndim != 3 or top.ndim != 2 or labels.ndim != 1 \
            or not images.shape[0] == top.shape[0] == labels.shape[0]:
        raise ValueError(f"need images (n, H, W), top (n, k) and labels (n,), got "
                         f"{images.shape}, {top.shape} and {labels.shape}")
    axes = _show_images(images, ncols, fig, FIGSIZE["wide"], diverging=False)
    for ax, guesses, actual in zip(axes, top, labels):
        ax.set_title("guess " + ", ".join(map(str, guesses)), fontsize=FONT_PT["annotation"],
                     color=text_color(PREDICTION_COLOR))
        ax.set_xlabel(f"true {actual}", fontsize=FONT_PT["annotation"],
                      color=text_color(TRUTH_COLOR), labelpad=2)
    fig = axes[0].figure
    fig.suptitle(f"above each digit: the network's {top.shape[1]} best guesses, most probable "
                 "first (purple); below: the true digit (green)", fontsize=FONT_PT["legend"])
    pairs = ", ".join(f"a {a} taken for {t[0]}" for t, a in zip(top, labels))
    describe(fig, f"{len(labels)} misclassified digits, each with its true class and the "
             f"network's {top.shape[1]} most probable classes: {pairs}.")
    return axes


def plot_filters(W, channel=0, ncols=8, fig=None):
    """The filters of a convolution layer as small images (red > 0 > blue).

    Parameters
    ----------
    W : array_like, shape (F, C, k, k)
        Filters, e.g. ``model.conv_filters(0)``.
    channel : int, optional
        Input channel shown.
    ncols : int, optional
        Filters per row.
    fig : matplotlib.figure.Figure, optional
        A new course-sized strip figure when None.

    Returns
    -------
    axes : ndarray of matplotlib.axes.Axes, shape (F,)
        All on one colour scale, symmetric around 0, with a colour bar.
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 4 or not 0 <= channel < W.shape[1]:
        raise ValueError(f"W must have shape (F, C, k, k) with channel < C, got {W.shape} "
                         f"and channel {channel}")
    titles = [str(f) for f in range(W.shape[0])]
    axes = _show_images(W[:, channel], ncols, fig, FIGSIZE["strip"], diverging=True,
                        titles=titles, colorbar="weight")
    describe(axes[0].figure, f"The {W.shape[0]} learned {W.shape[2]}x{W.shape[3]} filters of "
             f"input channel {channel}, purple negative and green positive on one scale "
             f"from {-_symmetric_limit(W[:, channel]):.2g} to "
             f"{_symmetric_limit(W[:, channel]):.2g}.")
    return axes


def plot_feature_maps(maps, ncols=8, fig=None):
    """The feature maps of one image, one small image per filter.

    Parameters
    ----------
    maps : array_like, shape (F, H, W)
        E.g. ``model.feature_maps(X[[i]], layer=0)[0]``.
    ncols : int, optional
    fig : matplotlib.figure.Figure, optional
        A new course-sized strip figure when None.

    Returns
    -------
    axes : ndarray of matplotlib.axes.Axes, shape (F,)
        Dark = strong activation, all on one scale, with a colour bar.
    """
    maps = np.asarray(maps, dtype=float)
    if maps.ndim != 3:
        raise ValueError(f"maps must have shape (F, H, W), got {maps.shape}")
    titles = [str(f) for f in range(maps.shape[0])]
    axes = _show_images(maps, ncols, fig, FIGSIZE["strip"], diverging=False, titles=titles,
                        colorbar="response")
    strongest = np.argsort(-maps.reshape(len(maps), -1).max(axis=1), kind="stable")[:3]
    describe(axes[0].figure, f"The {maps.shape[0]} feature maps ({maps.shape[1]}x"
             f"{maps.shape[2]}) of one image, dark where a filter responds strongly, on one "
             f"scale; the strongest responses come from filters "
             f"{', '.join(map(str, strongest))}.")
    return axes


def plot_filters_and_maps(W, maps, channel=0, ncols=6, fig=None):
    """Each filter above the feature map it makes of one image, each pair with a scale.

    Parameters
    ----------
    W : array_like, shape (F, C, k, k)
        Filters, e.g. ``model.conv_filters(0)``.
    maps : array_like, shape (F, H, W)
        The feature maps of one image, e.g. ``model.feature_maps(X[[i]], layer=0)[0]``.
    channel : int, optional
        Input channel of the filters shown.
    ncols : int, optional
        Pairs per row.
    fig : matplotlib.figure.Figure, optional
        A new course-sized wide figure when None.

    Returns
    -------
    filter_axes, map_axes : ndarray of matplotlib.axes.Axes, shape (F,)
        The filters (weight colours, one symmetric scale) and their maps (dark =
        strong response, one scale); a colour bar for each scale, the weights'
        on the right, the responses' below.
    """
    W, maps = np.asarray(W, dtype=float), np.asarray(maps, dtype=float)
    if W.ndim != 4 or maps.ndim != 3 or W.shape[0] != maps.shape[0] \
            or not 0 <= channel < W.shape[1]:
        raise ValueError(f"need W (F, C, k, k) and maps (F, H, W) with the same F and "
                         f"channel < C, got {W.shape}, {maps.shape} and channel {channel}")
    F = W.shape[0]
    nrows = -(-F // ncols)
    if fig is None:
        fig = plt.figure(figsize=FIGSIZE["wide"], layout="constrained")
    axes = fig.subplots(2 * nrows, ncols, squeeze=False)
    limit = _symmetric_limit(W[:, channel])
    top = max(float(maps.max()), 1e-12)
    filter_axes, map_axes = [], []
    for f in range(nrows * ncols):
        row, col = 2 * (f // ncols), f % ncols
        for ax in (axes[row, col], axes[row + 1, col]):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.spines[:].set_visible(False)
            ax.set_visible(f < F)
        if f >= F:
            continue
        shown_w = axes[row, col].imshow(W[f, channel], cmap=weight_cmap(), vmin=-limit,
                                        vmax=limit)
        shown_m = axes[row + 1, col].imshow(maps[f], cmap=DIGIT_CMAP, vmin=0, vmax=top)
        axes[row, col].set_title(f"filter {f}", fontsize=FONT_PT["annotation"])
        filter_axes.append(axes[row, col])
        map_axes.append(axes[row + 1, col])
    # The filter and map rows interleave, so each scale gets its own side of the
    # grid: the weights' bar on the right, the responses' bar below.
    fig.colorbar(shown_w, ax=axes, location="right", label="filter weight", shrink=0.8)
    fig.colorbar(shown_m, ax=axes, location="bottom", label="response of the map",
                 shrink=0.5, aspect=40)
    strongest = np.argsort(-maps.reshape(F, -1).max(axis=1), kind="stable")[:3]
    describe(fig, f"{F} learned {W.shape[2]}x{W.shape[3]} filters, each above the "
             f"{maps.shape[1]}x{maps.shape[2]} feature map it makes of one digit; filters "
             "in purple (negative) and green (positive) weights, maps dark where the filter "
             f"responds; filters {', '.join(map(str, strongest))} respond most strongly.")
    return np.array(filter_axes), np.array(map_axes)
