"""Plots of training results: learning curves and the confusion matrix of a classifier."""

import numpy as np
from matplotlib.colors import PowerNorm

from ..evaluation import confusion_counts
from ._axes import get_ax
from .alt import describe_axes_default
from .colors import INK, NEUTRAL, SEQUENTIAL_CMAP, TRAIN_COLOR
from .style import FIGSIZE, FONT_PT

__all__ = ["plot_confusion_matrix", "plot_learning_curve"]


def plot_learning_curve(loss_history, ax=None, label=None, log=True, color=TRAIN_COLOR):
    """Error per epoch, as recorded by :meth:`annteach.MLP.fit`.

    Parameters
    ----------
    loss_history : array_like, shape (n_epochs,)
        Mean error per sample after each epoch (``model.loss_history``).
    ax : matplotlib Axes, optional
        Where to draw; a new course-sized square figure when None. Call again with the
        same ``ax`` to compare several runs (give each a ``label`` and a ``color``).
    label : str, optional
        Legend entry of this curve (a legend is drawn when given).
    log : bool, optional
        Logarithmic error axis (default), which shows the late, slow part of
        training as clearly as the first epochs.
    color : color, optional
        Line colour (the training-data colour by default).

    Returns
    -------
    line : matplotlib Line2D
        The curve; its x data are the epochs 1 .. n_epochs.
    """
    history = np.asarray(loss_history, dtype=np.float64)
    if history.ndim != 1 or history.size == 0:
        raise ValueError(f"loss_history must be a non-empty 1-D sequence, got shape "
                         f"{history.shape}")
    ax = get_ax(ax, FIGSIZE["square"])
    (line,) = ax.plot(np.arange(1, history.size + 1), history, label=label, color=color)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("$E$ (mean per sample)")
    if label is not None:
        ax.legend()
    name = f" ({label})" if label else ""
    describe_axes_default(ax, f"Learning curve{name}: the mean error per sample falls from "
                          f"{history[0]:.3g} after epoch 1 to {history[-1]:.3g} after epoch "
                          f"{history.size}" + (" (logarithmic error axis)." if log else "."))
    return line


def plot_confusion_matrix(labels, predictions, n_classes=None, ax=None, gamma=0.5,
                          annotate=True):
    """Confusion matrix: how often each true class was predicted as each class.

    Parameters
    ----------
    labels : array_like of int, shape (N,)
        True classes.
    predictions : array_like of int, shape (N,)
        Predicted classes.
    n_classes : int, optional
        Number of classes; by default one more than the largest class seen
        (see :func:`annteach.confusion_counts`, which does the counting).
    ax : matplotlib Axes, optional
        Where to draw; a new course-sized square figure when None.
    gamma : float, optional
        Colour scale of the errors, ``PowerNorm(gamma)`` up to the largest
        off-diagonal count: below 1 it makes single confusions visible.
    annotate : bool, optional
        Write the count into every cell that is not zero (the correct ones on
        the grey diagonal, which has no colour: only the errors are coloured).

    Returns
    -------
    image : matplotlib AxesImage
        ``image.get_array()`` is the matrix of counts, shape
        (n_classes, n_classes): row = true class, column = predicted class; its
        diagonal is masked (drawn grey) so that the colours show the errors.
    """
    counts = confusion_counts(labels, predictions, n_classes)
    ax = get_ax(ax, FIGSIZE["square"])
    errors = np.ma.masked_array(counts, mask=np.eye(*counts.shape, dtype=bool))
    largest_error = int(errors.max()) if errors.count() and errors.max() else 1
    cmap = _error_cmap()
    # no error at all: white (below the scale); one error: the light end of the scale
    image = ax.imshow(errors, cmap=cmap, norm=PowerNorm(gamma, vmin=1,
                                                        vmax=max(largest_error, 2)))
    if annotate:
        off = errors.filled(0)
        sizes = (_count_font_size(ax, counts.shape[0], np.diag(counts).max(), 1.0),
                 _count_font_size(ax, counts.shape[0], off.max(), 0.85))
        for (t, p), count in np.ndenumerate(counts):
            if not count:
                continue
            size = sizes[t != p]
            if t == p:
                color = INK
            else:
                r, g, b, _ = cmap(image.norm(count))
                color = "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45 else INK
            ax.text(p, t, str(count), ha="center", va="center", fontsize=size, color=color,
                    fontweight="bold" if t != p else "normal")
    ticks = np.arange(counts.shape[0])
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.spines[:].set_visible(True)
    ax.figure.colorbar(image, ax=ax, label="errors (off the diagonal)")
    describe_axes_default(ax, _confusion_summary(counts))
    return image


def _count_font_size(ax, n, largest, fill):
    """The course's annotation size, or smaller when ``largest`` would not fit in ``fill``
    of a cell's width (a digit is about 0.62 em wide; the axes as placed before layout)."""
    fig = ax.figure
    cell_pt = min(ax.get_position().width * fig.get_figwidth(),
                  ax.get_position().height * fig.get_figheight()) * 72 / n
    return min(FONT_PT["annotation"], fill * cell_pt / (0.62 * len(str(int(largest)))))


def _error_cmap():
    import matplotlib

    return matplotlib.colormaps[SEQUENTIAL_CMAP].reversed().with_extremes(bad=NEUTRAL,
                                                                           under="white")


def _confusion_summary(counts):
    wrong = counts.sum() - np.trace(counts)
    off = counts.copy()
    np.fill_diagonal(off, 0)
    order = np.argsort(-off, axis=None, kind="stable")[:3]
    pairs = [(t, p, off[t, p]) for t, p in zip(*np.unravel_index(order, off.shape)) if off[t, p]]
    text = (f"Confusion matrix of {counts.sum()} predictions over {counts.shape[0]} classes, "
            f"true class down, predicted class across: {np.trace(counts)} correct on the "
            f"grey diagonal, {wrong} errors coloured off it")
    if pairs:
        text += "; most frequent: " + ", ".join(f"{t} taken for {p} ({n})" for t, p, n in pairs)
    return text + "."
