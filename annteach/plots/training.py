"""Plots of training results: learning curves and the confusion matrix of a classifier."""

import numpy as np
from matplotlib.colors import PowerNorm

from ..evaluation import confusion_counts
from ._axes import get_ax

__all__ = ["plot_confusion_matrix", "plot_learning_curve"]


def plot_learning_curve(loss_history, ax=None, label=None, log=True):
    """Error per epoch, as recorded by :meth:`annteach.MLP.fit`.

    Parameters
    ----------
    loss_history : array_like, shape (n_epochs,)
        Mean error per sample after each epoch (``model.loss_history``).
    ax : matplotlib Axes, optional
        Where to draw; a new (4.5, 3.2) figure when None. Call again with the
        same ``ax`` to compare several runs (give each a ``label``).
    label : str, optional
        Legend entry of this curve (a legend is drawn when given).
    log : bool, optional
        Logarithmic error axis (default), which shows the late, slow part of
        training as clearly as the first epochs.

    Returns
    -------
    line : matplotlib Line2D
        The curve; its x data are the epochs 1 .. n_epochs.
    """
    history = np.asarray(loss_history, dtype=np.float64)
    if history.ndim != 1 or history.size == 0:
        raise ValueError(f"loss_history must be a non-empty 1-D sequence, got shape "
                         f"{history.shape}")
    ax = get_ax(ax, (4.5, 3.2))
    (line,) = ax.plot(np.arange(1, history.size + 1), history, label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean error per sample")
    if label is not None:
        ax.legend()
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
        Where to draw; a new (4.5, 4.0) figure when None.
    gamma : float, optional
        Colour scale ``PowerNorm(gamma)``: below 1 it makes the few
        confusions visible next to the large counts on the diagonal.
    annotate : bool, optional
        Write the count into every cell that is not zero.

    Returns
    -------
    image : matplotlib AxesImage
        ``image.get_array()`` is the matrix of counts, shape
        (n_classes, n_classes): row = true class, column = predicted class.
    """
    counts = confusion_counts(labels, predictions, n_classes)
    ax = get_ax(ax, (4.5, 4.0))
    image = ax.imshow(counts, cmap="Blues", norm=PowerNorm(gamma, vmin=0,
                                                           vmax=max(counts.max(), 1)))
    if annotate:
        dark = counts > 0.4 * counts.max()
        for (t, p), count in np.ndenumerate(counts):
            if count:
                ax.text(p, t, str(count), ha="center", va="center", fontsize=7,
                        color="white" if dark[t, p] else "black")
    ticks = np.arange(counts.shape[0])
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    return image
