"""Figures of the convolutional-network lecture: a convolution step by step,
the misclassified digits, the learned filters and the feature maps."""

import matplotlib.pyplot as plt
import numpy as np

from ..evaluation import prediction_title

__all__ = ["plot_convolution", "plot_feature_maps", "plot_filters", "plot_misclassified"]


def _symmetric_limit(A):
    """Largest absolute value of ``A`` (at least a tiny positive number)."""
    return max(float(np.max(np.abs(A))), 1e-12)


def _grid(fig, n, ncols, figsize):
    """A figure with ``n`` image axes in rows of ``ncols``; unused axes hidden."""
    nrows = -(-n // ncols)
    if fig is None:
        fig = plt.figure(figsize=figsize)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, axes.ravel()[:n]


def _show_images(images, ncols, fig, figsize, diverging, titles=None):
    """Draw 2-D arrays on a grid; a shared symmetric colour scale if ``diverging``."""
    fig, axes = _grid(fig, len(images), ncols, figsize)
    if diverging:
        limit = _symmetric_limit(images)
        kwargs = {"cmap": "RdBu_r", "vmin": -limit, "vmax": limit}
    else:
        kwargs = {"cmap": "gray_r", "vmin": 0.0, "vmax": max(float(np.max(images)), 1e-12)}
    for i, (ax, image) in enumerate(zip(axes, images)):
        ax.imshow(image, **kwargs)
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
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
        Drawn into (empty); a new (9, 3.2) figure when None.

    Returns
    -------
    axes : list of 3 matplotlib.axes.Axes
        Input, kernel, feature map; kernel and feature map use a red-blue
        scale centred on 0, each with a colour bar.
    """
    image, kernel, feature_map = (np.asarray(a, dtype=float) for a in (image, kernel,
                                                                       feature_map))
    for name, a in (("image", image), ("kernel", kernel), ("feature_map", feature_map)):
        if a.ndim != 2:
            raise ValueError(f"{name} must be a 2-D array, got shape {a.shape}")
    if fig is None:
        fig = plt.figure(figsize=(9, 3.2))
    axes = list(fig.subplots(1, 3))
    axes[0].imshow(image, cmap="gray_r", vmin=0, vmax=max(float(image.max()), 1e-12))
    axes[0].set_title(f"input {image.shape[0]}x{image.shape[1]}")
    for ax, a, title in ((axes[1], kernel, f"kernel {kernel.shape[0]}x{kernel.shape[1]}"),
                         (axes[2], feature_map,
                          f"feature map {feature_map.shape[0]}x{feature_map.shape[1]}")):
        limit = _symmetric_limit(a)
        im = ax.imshow(a, cmap="RdBu_r", vmin=-limit, vmax=limit)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        ax.set_title(title)
    if kernel.size <= 49:  # small kernels: write the weights into the cells
        for (i, j), w in np.ndenumerate(kernel):
            axes[1].text(j, i, f"{w:g}", ha="center", va="center", fontsize=8)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    return axes


def plot_misclassified(images, top, labels, ncols=5, fig=None):
    """A gallery of digits titled with the predictions: ``"P. a, b, c / A. d"``.

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
        Drawn into (empty); a new (7.5, 4.5) figure when None.

    Returns
    -------
    axes : ndarray of matplotlib.axes.Axes, shape (n,)
    """
    images = np.asarray(images, dtype=float)
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]
    top, labels = np.asarray(top), np.asarray(labels)
    if images.ndim != 3 or top.ndim != 2 or labels.ndim != 1 \
            or not images.shape[0] == top.shape[0] == labels.shape[0]:
        raise ValueError(f"need images (n, H, W), top (n, k) and labels (n,), got "
                         f"{images.shape}, {top.shape} and {labels.shape}")
    titles = [prediction_title(t, a) for t, a in zip(top, labels)]
    return _show_images(images, ncols, fig, (7.5, 4.5), diverging=False, titles=titles)


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
        A new (8, 2.4) figure when None.

    Returns
    -------
    axes : ndarray of matplotlib.axes.Axes, shape (F,)
        All on one colour scale, symmetric around 0.
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 4 or not 0 <= channel < W.shape[1]:
        raise ValueError(f"W must have shape (F, C, k, k) with channel < C, got {W.shape} "
                         f"and channel {channel}")
    titles = [str(f) for f in range(W.shape[0])]
    return _show_images(W[:, channel], ncols, fig, (8, 2.4), diverging=True, titles=titles)


def plot_feature_maps(maps, ncols=8, fig=None):
    """The feature maps of one image, one small image per filter.

    Parameters
    ----------
    maps : array_like, shape (F, H, W)
        E.g. ``model.feature_maps(X[[i]], layer=0)[0]``.
    ncols : int, optional
    fig : matplotlib.figure.Figure, optional
        A new (8, 2.4) figure when None.

    Returns
    -------
    axes : ndarray of matplotlib.axes.Axes, shape (F,)
        Dark = strong activation, all on one scale.
    """
    maps = np.asarray(maps, dtype=float)
    if maps.ndim != 3:
        raise ValueError(f"maps must have shape (F, H, W), got {maps.shape}")
    titles = [str(f) for f in range(maps.shape[0])]
    return _show_images(maps, ncols, fig, (8, 2.4), diverging=False, titles=titles)
