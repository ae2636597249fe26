"""Plots of training results: learning curves, a 2-input decision boundary,
and the confusion matrix of a classifier."""

import numpy as np
from matplotlib.colors import PowerNorm

from ..evaluation import confusion_counts
from ._axes import get_ax
from .alt import describe_axes_default
from .colors import INK, NEUTRAL, SEQUENTIAL_CMAP, TRAIN_COLOR, output_cmap
from .style import FIGSIZE, FONT_PT
from .xor import plot_xor_data

__all__ = ["plot_confusion_matrix", "plot_decision_boundary", "plot_learning_curve"]


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
        Where to draw; a new course-sized square figure when None.
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
    ax = get_ax(ax, FIGSIZE["square"])
    grid = np.linspace(0, 1, int(resolution))
    x1, x2 = np.meshgrid(grid, grid)
    Z = _outputs(model, np.column_stack([x1.ravel(), x2.ravel()])).reshape(x1.shape)
    # Levels cover [0, 1] (logistic outputs) or [-1, 1] (tanh), and any wider range; the
    # class colours sit at the ends, the light middle at the threshold.
    low, high = min(0.0, Z.min()), max(1.0, Z.max())
    levels = np.linspace(low, high, 21)
    half = max(threshold - low, high - threshold)
    surface = ax.contourf(x1, x2, Z, levels=levels, cmap=output_cmap(),
                          vmin=threshold - half, vmax=threshold + half)
    if colorbar:
        ax.figure.colorbar(surface, ax=ax, label="network output $y$", ticks=[low, threshold,
                                                                               high])
    crosses = Z.min() < threshold < Z.max()
    boundary = ax.contour(x1, x2, Z, levels=[threshold] if crosses else [],
                          colors=INK, linewidths=2.5)
    points = plot_xor_data(ax=ax, legend=False)
    for collection in points:
        collection.set_clip_on(False)
    X, T = _xor_samples()
    right = int(np.sum((_outputs(model, X) > threshold) == (T == 1)))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 1])
    ax.tick_params(pad=10)
    ax.set_title(f"decision boundary ($y = {threshold:g}$)", pad=12)
    describe_axes_default(ax, f"The network's output y over the input square, from the class-0 "
                          f"colour (y = {low:g}) to the class-1 colour (y = {high:g}), ranging "
                          f"from {Z.min():.2g} to {Z.max():.2g}; "
                          + (f"the black decision boundary y = {threshold:g} puts {right} of "
                             "the 4 XOR samples on their class's side."
                             if crosses else f"the output never crosses {threshold:g}, so "
                             f"there is no decision boundary; {right} of 4 samples are right."))
    return surface, boundary, points


def _xor_samples():
    from ..xor import xor_dataset

    return xor_dataset()


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
