"""Loss functions and targets: the error ``E`` of a network's outputs ``Y`` against ``T``.

Every loss is a **mean over the N samples** of the batch, for every model of the
package, so that a loss (and its gradient) does not grow with the batch size:

=================  ========================================  ======================
name               E                                          output activations
=================  ========================================  ======================
``sse``            ``1/(2N) sum_n sum_j (y_nj - t_nj)**2``    identity, tanh,
                                                              logistic, relu
``cross_entropy``  ``-1/N sum_n sum_j t_nj log y_nj``         softmax (K classes),
                   (one logistic output: ``-1/N sum_n          logistic (one unit)
                   [t log y + (1 - t) log(1 - y)]``)
=================  ========================================  ======================

Backpropagation starts from ``dE/dY = (Y - T) / N`` for the SSE. For the
cross-entropy with its matching output (softmax, or one logistic unit) the
derivative of the output activation cancels, and the output delta
``dE/dA`` is again ``(Y - T) / N``.
"""

import numpy as np

__all__ = ["LOSSES", "OUTPUTS_FOR_LOSS", "cross_entropy", "one_hot", "sum_squared_error"]

# Probabilities are clipped to this before the logarithm: log(0) would be -inf.
_TINY = 1e-12


def _pair(Y, T):
    Y, T = np.asarray(Y), np.asarray(T)
    if Y.ndim != 2 or Y.shape != T.shape:
        raise ValueError(f"Y and T must have the same shape (N, K), got {Y.shape} and {T.shape}")
    if Y.shape[0] == 0:
        raise ValueError("need at least one sample")
    return Y, T


def sum_squared_error(Y, T):
    """Half the squared error, mean over the samples: ``1/(2N) sum (Y - T)**2``.

    Parameters
    ----------
    Y, T : array_like, shape (N, K)
        Outputs and targets.

    Returns
    -------
    float
    """
    Y, T = _pair(Y, T)
    return 0.5 * float(np.sum((Y - T) ** 2)) / Y.shape[0]


def cross_entropy(Y, T):
    """Cross-entropy of probabilities ``Y`` against targets ``T``, mean over the samples.

    ``-1/N sum_n sum_j t_nj log y_nj`` for K >= 2 columns (softmax outputs);
    for one column (one logistic output, ``y`` the probability of class 1) the
    two-class form ``-1/N sum_n [t log y + (1 - t) log(1 - y)]``. Probabilities
    are clipped to at least 1e-12 before the logarithm.

    Parameters
    ----------
    Y : array_like, shape (N, K)
        Probabilities (rows summing to 1 when K >= 2).
    T : array_like, shape (N, K)
        Targets: one-hot rows or distributions (0 or 1 for one column).

    Returns
    -------
    float
    """
    Y, T = _pair(Y, T)
    total = np.sum(T * np.log(np.maximum(Y, _TINY)))
    if Y.shape[1] == 1:
        total += np.sum((1 - T) * np.log(np.maximum(1 - Y, _TINY)))
    return -float(total) / Y.shape[0]


def one_hot(labels, n_classes=None, dtype=np.float64):
    """One-hot encode integer class labels.

    Parameters
    ----------
    labels : array_like of int, shape (N,)
    n_classes : int, optional
        Number of classes; by default ``labels.max() + 1``.
    dtype : dtype, optional

    Returns
    -------
    T : ndarray, shape (N, n_classes)
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D integer array, got {labels.dtype} "
                         f"of shape {labels.shape}")
    if n_classes is None:
        n_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes}), got "
                         f"[{labels.min()}, {labels.max()}]")
    T = np.zeros((labels.size, n_classes), dtype=dtype)
    T[np.arange(labels.size), labels] = 1
    return T


#: Registry of losses: ``name -> E(Y, T)``, each a mean over the samples.
LOSSES = {"sse": sum_squared_error, "cross_entropy": cross_entropy}

#: The output activations each loss goes with (see the module docstring).
OUTPUTS_FOR_LOSS = {
    "sse": {"identity", "tanh", "logistic", "relu"},
    "cross_entropy": {"logistic", "softmax"},
}
