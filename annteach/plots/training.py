"""Plots of training results: learning curves, a 2-input decision boundary,
and the confusion matrix of a classifier."""

import numpy as np
from matplotlib.colors import PowerNorm

from ..evaluation import confusion_counts
from ._axes import get_ax
from .xor import plot_xor_data

__all__ = ["plot_confusion_matrix", "plot_decision_boundary", "plot_learning_curve"]


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


def _outputs(model, X):
    """Model output for the rows of X (N, 2) as a flat array (N,)."""
    if hasattr(model, "predict_proba"):
        Y = model.predict_proba(X)
    elif callable(model):
        Y = model(X)
    else:
        raise ValueError("model must have a predict_proba method or be callable, got "
                         f"{type(model).__name__}")
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim == 2 and Y.shape[1] == 2:
        Y = Y[:, 1]  # two-class softmax: probability of class 1
    Y = Y.reshape(-1)
    if Y.size != X.shape[0]:
        raise ValueError(f"model output has {Y.size} values for {X.shape[0]} inputs; "
                         "expected one output (or two class probabilities) per input")
    return Y


def plot_decision_boundary(model, ax=None, threshold=0.5, resolution=101, colorbar=True):
    """Output of a 2-input model over the unit square, its decision boundary
    and the four XOR samples.

    Parameters
    ----------
    model : object or callable
        Anything with ``predict_proba(X)`` (such as :class:`annteach.MLP`),
        or a function, mapping inputs of shape (N, 2) to outputs of shape
        (N,) or (N, 1) (or (N, 2) class probabilities: class 1 is shown).
    ax : matplotlib Axes, optional
        Where to draw; a new (4.2, 3.6) figure when None.
    threshold : float, optional
        Output level drawn as the decision boundary (0.5 for a logistic
        output with targets 0 and 1; use 0 for tanh with targets -1, 1).
    resolution : int, optional
        Grid points per axis.
    colorbar : bool, optional
        Add a colour bar for the model output.

    Returns
    -------
    surface : matplotlib QuadContourSet
        Filled contours of the output on the grid.
    boundary : matplotlib QuadContourSet
        The contour line ``output == threshold`` (no line when the output
        never crosses the threshold).
    points : list of 2 PathCollection
        The XOR samples of class 0 and class 1 (see ``plot_xor_data``).
    """
    if int(resolution) < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    ax = get_ax(ax, (4.2, 3.6))
    grid = np.linspace(0, 1, int(resolution))
    x1, x2 = np.meshgrid(grid, grid)
    Z = _outputs(model, np.column_stack([x1.ravel(), x2.ravel()])).reshape(x1.shape)
    # Levels cover [0, 1] (logistic outputs) or [-1, 1] (tanh), and any wider range.
    levels = np.linspace(min(0.0, Z.min()), max(1.0, Z.max()), 21)
    surface = ax.contourf(x1, x2, Z, levels=levels, cmap="Greys",
                          vmin=levels[0], vmax=levels[-1] + 0.6 * (levels[-1] - levels[0]))
    if colorbar:
        ax.figure.colorbar(surface, ax=ax, label="network output")
    crosses = Z.min() < threshold < Z.max()
    boundary = ax.contour(x1, x2, Z, levels=[threshold] if crosses else [],
                          colors="black", linewidths=2)
    points = plot_xor_data(ax=ax)
    for collection in points:
        collection.set_clip_on(False)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 1])
    ax.tick_params(pad=10)
    ax.set_title(f"decision boundary (output = {threshold:g})", pad=12)
    return surface, boundary, points


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
