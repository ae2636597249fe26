"""The XOR problem and the lecture's 2-2-1 logistic network.

The network has two inputs ``x1, x2``, two logistic hidden units and one
logistic output unit::

    h1 = logistic(b2 + w3*x1 + w4*x2)
    h2 = logistic(b3 + w5*x1 + w6*x2)
    y  = logistic(b1 + w1*h1 + w2*h2)

Every argument broadcasts, so any weight may be a grid (for example from
``numpy.meshgrid``) and the whole error surface is computed at once.
"""

import numpy as np

from .activations import logistic

__all__ = ["XOR_WEIGHTS", "check_weight_names", "xor_dataset", "xor_error", "xor_net"]

#: The lecture's default weights of the 2-2-1 network, in argument order.
XOR_WEIGHTS = {
    "w1": 0.1, "w2": 0.2, "b1": 0.1,
    "w3": -0.2, "w4": 0.2, "b2": -0.1,
    "w5": -0.3, "w6": -0.25, "b3": 0.2,
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
    Y : ndarray of float64, shape (4,)
        Targets ``[1, 1, 0, 0]`` (``x1 XOR x2``).
    """
    X = np.array([[0, 1], [1, 0], [0, 0], [1, 1]], dtype=np.float64)
    Y = np.array([1, 1, 0, 0], dtype=np.float64)
    return X, Y


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
    """Sum of squared errors of ``xor_net`` over the four XOR samples.

    ``E = sum_n (xor_net(x1_n, x2_n, **weights) - y_n)**2``, without a factor
    1/2, as in the lecture's error-surface plots.

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
    X, Y = xor_dataset()
    return sum((xor_net(x1, x2, **weights) - y) ** 2 for (x1, x2), y in zip(X, Y))
