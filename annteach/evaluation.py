"""Evaluating classifiers: which digits they get wrong, and what they cost.

Everything here works on plain arrays of class labels or class
probabilities, so it serves the MLP and the CNN alike:

- :func:`accuracy`, :func:`confusion_counts`, :func:`misclassified`,
  :func:`most_confused_pairs`: what the predictions get right and wrong;
- :func:`top_k`, :func:`prediction_title`: the k most probable classes of
  each image, and the lecture's "P. a, b, c / A. d" caption;
- :func:`model_accuracy`: the accuracy of any model with ``predict(X)``;
- :func:`count_params`, :func:`timed`: the size of a model and the time a
  call takes, for comparing models.

Only numpy (and the standard library) is needed.
"""

import time

import numpy as np

__all__ = [
    "accuracy",
    "confusion_counts",
    "count_params",
    "misclassified",
    "model_accuracy",
    "most_confused_pairs",
    "prediction_title",
    "timed",
    "top_k",
]


def _label_array(name, a):
    """``a`` as a 1-D array of non-negative integer class labels."""
    a = np.asarray(a)
    if a.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {a.shape}")
    if a.size and not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"{name} must hold integer class labels, got dtype {a.dtype} "
                         "(for probabilities, take .argmax(axis=1) first)")
    if a.size and a.min() < 0:
        raise ValueError(f"{name} must be >= 0, got {a.min()}")
    return a.astype(np.int64)


def _label_pair(labels, predictions):
    labels = _label_array("labels", labels)
    predictions = _label_array("predictions", predictions)
    if labels.shape != predictions.shape:
        raise ValueError(f"labels and predictions must have the same shape, got "
                         f"{labels.shape} and {predictions.shape}")
    return labels, predictions


def accuracy(labels, predictions):
    """Fraction of predictions equal to the labels.

    Parameters
    ----------
    labels, predictions : array_like of int, shape (N,)

    Returns
    -------
    float
        In [0, 1].
    """
    labels, predictions = _label_pair(labels, predictions)
    if labels.size == 0:
        raise ValueError("need at least one prediction")
    return float(np.mean(labels == predictions))


def confusion_counts(labels, predictions, n_classes=None):
    """Confusion matrix: how often each actual class got each predicted class.

    Parameters
    ----------
    labels, predictions : array_like of int, shape (N,)
        Actual and predicted classes.
    n_classes : int, optional
        Number of classes K; default ``max(labels, predictions) + 1``.

    Returns
    -------
    C : ndarray of int64, shape (K, K)
        ``C[a, p]`` is the number of samples of class ``a`` predicted as
        ``p``; the diagonal holds the correct ones and ``C.sum() == N``.
    """
    labels, predictions = _label_pair(labels, predictions)
    largest = int(max(labels.max(initial=-1), predictions.max(initial=-1)))
    K = largest + 1 if n_classes is None else int(n_classes)
    if K < 1 or largest >= K:
        raise ValueError(f"n_classes={n_classes} is too small for labels up to {largest}")
    C = np.zeros((K, K), dtype=np.int64)
    np.add.at(C, (labels, predictions), 1)
    return C


def model_accuracy(model, X, labels):
    """Fraction of samples whose predicted label is the label.

    Parameters
    ----------
    model : MLP or CNN
        Anything whose ``predict(X)`` gives class labels, shape (N,).
    X : array_like
        The model's inputs (for the CNN, scaled images (N, 1, 28, 28) or (N, 28, 28)).
    labels : array_like of int, shape (N,)

    Returns
    -------
    float
    """
    return accuracy(labels, model.predict(X))


def misclassified(labels, predictions):
    """Indices of the wrong predictions, in increasing order.

    Parameters
    ----------
    labels, predictions : array_like of int, shape (N,)

    Returns
    -------
    ndarray of int64, shape (M,)
        The M indices ``i`` with ``predictions[i] != labels[i]``.
    """
    labels, predictions = _label_pair(labels, predictions)
    return np.flatnonzero(labels != predictions).astype(np.int64)


def most_confused_pairs(labels, predictions, k=3, n_classes=None):
    """The k most frequent mistakes, as (actual, predicted, count) rows.

    Parameters
    ----------
    labels, predictions : array_like of int, shape (N,)
    k : int, optional
        Number of pairs wanted.
    n_classes : int, optional
        See :func:`confusion_counts`.

    Returns
    -------
    ndarray of int64, shape (m, 3)
        Rows ``(actual, predicted, count)`` with ``actual != predicted``,
        most frequent first; equal counts in increasing order of
        ``(actual, predicted)``. Only pairs that occur are listed, so
        ``m = min(k, number of distinct mistakes)``.
    """
    k = int(k)
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    C = confusion_counts(labels, predictions, n_classes)
    np.fill_diagonal(C, 0)
    order = np.argsort(-C, axis=None, kind="stable")[:k]
    actual, predicted = np.unravel_index(order, C.shape)
    rows = np.stack([actual, predicted, C[actual, predicted]], axis=1).astype(np.int64)
    return rows[rows[:, 2] > 0]


def top_k(probabilities, k=3):
    """The k most probable classes of every sample, most probable first.

    Row ``n`` equals the lecture's ``probabilities[n].argsort()[::-1][:k]``
    (with a stable sort, so of two equal probabilities the higher class
    comes first).

    Parameters
    ----------
    probabilities : array_like, shape (N, K)
        Class probabilities (or any scores) of N samples.
    k : int, optional
        1 <= k <= K.

    Returns
    -------
    ndarray of int64, shape (N, k)
    """
    P = np.asarray(probabilities)
    if P.ndim != 2:
        raise ValueError(f"probabilities must have shape (N, K), got {P.shape}")
    k = int(k)
    if not 1 <= k <= P.shape[1]:
        raise ValueError(f"k must be in [1, {P.shape[1]}], got {k}")
    return np.argsort(P, axis=1, kind="stable")[:, ::-1][:, :k].astype(np.int64)


def prediction_title(top, actual):
    """The lecture's caption of a classified digit: ``"P. 4, 9, 7 / A. 9"``.

    Parameters
    ----------
    top : sequence of int
        Predicted classes, most probable first (a row of :func:`top_k`).
    actual : int
        The label.

    Returns
    -------
    str
    """
    return f"P. {', '.join(str(int(c)) for c in top)} / A. {int(actual)}"


def count_params(model):
    """Number of trainable numbers (weights and biases) of a model.

    Parameters
    ----------
    model : object with ``params``
        A list of arrays, like :class:`annteach.MLP` and the CNN have.

    Returns
    -------
    int
    """
    try:
        params = model.params
    except AttributeError:
        raise ValueError(f"{type(model).__name__} has no .params list of weight arrays") from None
    return int(sum(np.size(P) for P in params))


def timed(function, *args, repeat=1, **kwargs):
    """Call ``function(*args, **kwargs)`` and measure the wall-clock time.

    Parameters
    ----------
    function : callable
    *args, **kwargs
        Its arguments.
    repeat : int, optional
        Call it this many times and report the fastest call (the first call
        often pays for memory the later ones reuse). Only for functions
        without side effects, such as predictions.

    Returns
    -------
    result
        What the (last) call returned.
    seconds : float
        The time of the fastest call.
    """
    if int(repeat) < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    best = float("inf")
    for _ in range(int(repeat)):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return result, best
