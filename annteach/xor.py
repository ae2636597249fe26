"""The XOR problem and the lecture's 2-2-1 logistic network.

The network has two inputs ``x1, x2``, two logistic hidden units and one
logistic output unit::

    h1 = logistic(b2 + w3*x1 + w4*x2)
    h2 = logistic(b3 + w5*x1 + w6*x2)
    y  = logistic(b1 + w1*h1 + w2*h2)

Every argument broadcasts, so any weight may be a grid (for example from
``numpy.meshgrid``) and the whole error surface is computed at once.

Notation: ``X`` holds the inputs, ``T`` the targets ``t`` and ``y`` (or
``Y``) the network's outputs. In the matrix form of the lecture
(:func:`annteach.fprop`) the nine named weights are the entries of two
matrices, biases in the last column (:data:`XOR_WEIGHT_POSITIONS`)::

    W1 = [[w3, w4, b2],        W2 = [[w1, w2, b1]]
          [w5, w6, b3]]
"""

import numpy as np

from .activations import logistic

__all__ = [
    "XOR_WEIGHTS",
    "XOR_WEIGHT_POSITIONS",
    "check_weight_names",
    "xor_dataset",
    "xor_error",
    "xor_net",
    "xor_weight_matrices",
    "xor_weights_from_matrices",
]

#: The lecture's default weights of the 2-2-1 network, in argument order.
XOR_WEIGHTS = {
    "w1": 0.1, "w2": 0.2, "b1": 0.1,
    "w3": -0.2, "w4": 0.2, "b2": -0.1,
    "w5": -0.3, "w6": -0.25, "b3": 0.2,
}

#: Where each named weight sits in the matrix form: ``name -> (layer, row, column)``;
#: layer 0 is ``W1`` (shape (2, 3), row ``j`` = hidden unit ``h_{j+1}``), layer 1 is
#: ``W2`` (shape (1, 3)); column 0 multiplies ``x1`` (or ``h1``), column 1 ``x2``
#: (or ``h2``), column 2 the bias entry 1.
XOR_WEIGHT_POSITIONS = {
    "w3": (0, 0, 0), "w4": (0, 0, 1), "b2": (0, 0, 2),
    "w5": (0, 1, 0), "w6": (0, 1, 1), "b3": (0, 1, 2),
    "w1": (1, 0, 0), "w2": (1, 0, 1), "b1": (1, 0, 2),
}


def check_weight_names(names):
    """Raise ValueError naming any name that is not a weight of :func:`xor_net`.

    Parameters
    ----------
    names : iterable of str
    """
    unknown = sorted(set(names) - set(XOR_WEIGHTS))
    if unknown:
        raise ValueError(f"unknown XOR weights {unknown}; valid names are {list(XOR_WEIGHTS)}")


def xor_dataset():
    """The four XOR samples, in the lecture's order.

    Returns
    -------
    X : ndarray of float64, shape (4, 2)
        Inputs ``[[0, 1], [1, 0], [0, 0], [1, 1]]``.
    T : ndarray of float64, shape (4,)
        Targets ``[1, 1, 0, 0]`` (``x1 XOR x2``).
    """
    X = np.array([[0, 1], [1, 0], [0, 0], [1, 1]], dtype=np.float64)
    T = np.array([1, 1, 0, 0], dtype=np.float64)
    return X, T


def xor_net(x1, x2, w1=0.1, w2=0.2, b1=0.1, w3=-0.2, w4=0.2, b2=-0.1,
            w5=-0.3, w6=-0.25, b3=0.2):
    """Output of the lecture's 2-2-1 logistic network.

    ``y = logistic(b1 + w1*logistic(b2 + w3*x1 + w4*x2)
                      + w2*logistic(b3 + w5*x1 + w6*x2))``

    Parameters
    ----------
    x1, x2 : array_like
        Inputs.
    w1, w2, b1 : array_like
        Output unit: weights from hidden units 1 and 2, and bias.
    w3, w4, b2 : array_like
        Hidden unit 1: weights from ``x1`` and ``x2``, and bias.
    w5, w6, b3 : array_like
        Hidden unit 2: weights from ``x1`` and ``x2``, and bias.

    Returns
    -------
    y : ndarray
        Network output in (0, 1), shaped like all arguments broadcast together.
    """
    h1 = logistic(b2 + np.multiply(w3, x1) + np.multiply(w4, x2))
    h2 = logistic(b3 + np.multiply(w5, x1) + np.multiply(w6, x2))
    return logistic(b1 + np.multiply(w1, h1) + np.multiply(w2, h2))


def xor_error(**weights):
    """Sum of squared errors of ``xor_net`` over the four XOR samples, without 1/2.

    ``E = sum_n (y_n - t_n)**2`` with ``y_n = xor_net(x1_n, x2_n, **weights)``:
    a plain sum over the four samples, no factor 1/2 and no mean, as in the
    lecture's error-surface plots. (Backpropagation in lecture 4 uses
    ``1/2 sum_n (y_n - t_n)**2``, which is half of this.)

    Parameters
    ----------
    **weights : array_like
        Any of the keyword weights of :func:`xor_net` (the others keep their
        defaults). They broadcast against each other.

    Returns
    -------
    E : ndarray or numpy.float64
        The error, shaped like the weights broadcast together (a numpy
        scalar when all weights are scalars).
    """
    check_weight_names(weights)
    X, T = xor_dataset()
    return sum((xor_net(x1, x2, **weights) - t) ** 2 for (x1, x2), t in zip(X, T))


def xor_weight_matrices(weights=None):
    """The named weights of the 2-2-1 network as the matrices of the matrix form.

    Parameters
    ----------
    weights : dict, optional
        Weight values by name; missing names keep :data:`XOR_WEIGHTS`.

    Returns
    -------
    W1 : ndarray of float64, shape (2, 3)
        ``[[w3, w4, b2], [w5, w6, b3]]``: row ``j`` holds the weights of hidden
        unit ``h_{j+1}``, biases in the last column.
    W2 : ndarray of float64, shape (1, 3)
        ``[[w1, w2, b1]]``: the output unit.
    """
    weights = {} if weights is None else dict(weights)
    check_weight_names(weights)
    values = {**XOR_WEIGHTS, **weights}
    W = [np.zeros((2, 3)), np.zeros((1, 3))]
    for name, (layer, row, col) in XOR_WEIGHT_POSITIONS.items():
        W[layer][row, col] = float(values[name])
    return W[0], W[1]


def xor_weights_from_matrices(W1, W2):
    """The nine named weights read from the matrices ``W1`` (2, 3) and ``W2`` (1, 3).

    The inverse of :func:`xor_weight_matrices`.

    Returns
    -------
    dict
        ``name -> float`` for ``w1 ... w6, b1 ... b3``, in the order of
        :data:`XOR_WEIGHTS`.
    """
    W = [np.asarray(W1, dtype=np.float64), np.asarray(W2, dtype=np.float64)]
    for name, M, shape in (("W1", W[0], (2, 3)), ("W2", W[1], (1, 3))):
        if M.shape != shape:
            raise ValueError(f"{name} must have shape {shape}, got {M.shape}")
    return {name: float(W[XOR_WEIGHT_POSITIONS[name][0]][XOR_WEIGHT_POSITIONS[name][1:]])
            for name in XOR_WEIGHTS}
