"""The lecture's fully connected layer, in matrix form.

Notation (one layer; rows are samples):

* ``X``, shape ``(N, n_in + 1)``: the layer's inputs, each row ending with the
  bias entry 1 (see :func:`add_bias`).
* ``W``, shape ``(n_out, n_in + 1)``: row ``j`` holds the weights ``w_ji`` of
  unit ``j``; the last column holds the biases.
* ``A = X @ W.T``, shape ``(N, n_out)``: pre-activations ``a_j = sum_i w_ji x_i``.
* ``Y = g(A)``, shape ``(N, n_out)``: the layer's outputs.

Backward, given ``dEdY`` (the gradient of the error with respect to ``Y``):

* ``Delta = g'(A) * dEdY``, with ``g'`` written in terms of ``Y``;
* ``dEdW = Delta.T @ X``: summed over all ``N`` samples;
* ``dEdX = Delta @ W``: still including the bias column, which the caller
  removes (:func:`remove_bias`) before passing it to the layer below.
"""

import numpy as np

__all__ = ["add_bias", "backprop", "fprop", "remove_bias"]


def _as_2d(name, M):
    M = np.asarray(M)
    if M.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {M.shape}")
    if not np.issubdtype(M.dtype, np.floating):
        M = M.astype(np.float64)
    return M


def add_bias(X):
    """Append the bias entry 1 to every row.

    Parameters
    ----------
    X : array_like, shape (N, n)

    Returns
    -------
    X_b : ndarray, shape (N, n + 1)
        A new array whose last column is ones.
    """
    X = _as_2d("X", X)
    return np.hstack([X, np.ones((X.shape[0], 1), dtype=X.dtype)])


def remove_bias(X):
    """Drop the last (bias) column of every row.

    Parameters
    ----------
    X : array_like, shape (N, n + 1)

    Returns
    -------
    X : ndarray, shape (N, n)
        A new array without the last column.
    """
    X = _as_2d("X", X)
    if X.shape[1] < 1:
        raise ValueError(f"X has no column to remove, shape {X.shape}")
    return X[:, :-1].copy()


def _check_shapes(W, X):
    if W.shape[1] != X.shape[1]:
        raise ValueError(
            f"shape mismatch: W has shape {W.shape} (n_out, n_in + 1) but X has shape "
            f"{X.shape} (N, n_in + 1); their last dimensions must agree "
            "(did you forget add_bias?)")


def fprop(W, X, g):
    """Forward propagation through one layer: ``Y = g(X @ W.T)``.

    Parameters
    ----------
    W : array_like, shape (n_out, n_in + 1)
        Weights, biases in the last column.
    X : array_like, shape (N, n_in + 1)
        Inputs, each row ending with the bias entry 1.
    g : callable
        Activation function, applied elementwise (or row-wise for softmax).

    Returns
    -------
    Y : ndarray, shape (N, n_out)
        Layer outputs.

    Raises
    ------
    ValueError
        If the shapes of ``W`` and ``X`` do not fit, naming both.
    """
    W, X = _as_2d("W", W), _as_2d("X", X)
    _check_shapes(W, X)
    A = X @ W.T
    return g(A)


def backprop(W, X, g_derivative, Y, dEdY):
    """Backpropagation through one layer.

    Parameters
    ----------
    W : array_like, shape (n_out, n_in + 1)
        Weights used on the way forward.
    X : array_like, shape (N, n_in + 1)
        Inputs used on the way forward (with the bias column).
    g_derivative : callable
        Derivative of the activation in terms of its output ``Y``.
    Y : array_like, shape (N, n_out)
        Outputs of the forward pass.
    dEdY : array_like, shape (N, n_out)
        Gradient of the error with respect to ``Y``.

    Returns
    -------
    dEdX : ndarray, shape (N, n_in + 1)
        ``Delta @ W``: gradient with respect to the inputs, bias column
        included (remove it with :func:`remove_bias` before going on).
    dEdW : ndarray, shape (n_out, n_in + 1)
        ``Delta.T @ X``: gradient with respect to the weights, summed over
        the ``N`` samples.

    Raises
    ------
    ValueError
        If any two shapes do not fit, naming both.
    """
    W, X = _as_2d("W", W), _as_2d("X", X)
    Y, dEdY = _as_2d("Y", Y), _as_2d("dEdY", dEdY)
    _check_shapes(W, X)
    expected = (X.shape[0], W.shape[0])
    for name, M in (("Y", Y), ("dEdY", dEdY)):
        if M.shape != expected:
            raise ValueError(
                f"shape mismatch: {name} has shape {M.shape}, but X {X.shape} and "
                f"W {W.shape} give outputs of shape {expected}")
    Delta = g_derivative(Y) * dEdY
    dEdW = Delta.T @ X
    dEdX = Delta @ W
    return dEdX, dEdW
