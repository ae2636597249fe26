"""Activation functions and their derivatives, written in terms of the output.

Every derivative takes the layer *output* ``Y = g(A)`` rather than the
pre-activation ``A``, as in the lecture: this is what ``backprop`` has at
hand, and it is cheaper than recomputing ``g`` from ``A``.

=========  =====================  ==========================
name       g(a)                   g'(a) written with y = g(a)
=========  =====================  ==========================
identity   a                      1
tanh       tanh(a)                1 - y**2
logistic   1 / (1 + exp(-a))      y * (1 - y)
relu       max(0, a)              1 if y > 0 else 0
=========  =====================  ==========================

Softmax, which turns a row of scores into probabilities, is the fifth: an
output activation only (:data:`OUTPUT_ACTIVATIONS`), used with the
cross-entropy loss, whose output delta is simply ``Y - T`` (see
:mod:`annteach.losses`), so it needs no derivative of its own here.

The ReLU derivative at ``a = 0`` is taken to be 0 (the convention of most
libraries); ``relu_derivative`` sees only ``y = 0`` there and cannot tell
``a = 0`` from ``a < 0`` anyway.

All functions return new arrays and never modify their argument.
"""

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "OUTPUT_ACTIVATIONS",
    "get_activation",
    "identity",
    "identity_derivative",
    "logistic",
    "logistic_derivative",
    "relu",
    "relu_derivative",
    "softmax",
    "tanh",
    "tanh_derivative",
]


def _as_float(a):
    """Return ``a`` as a floating-point array (float64 unless already float)."""
    a = np.asarray(a)
    if not np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float64)
    return a


def identity(a):
    """Identity activation ``g(a) = a``.

    Parameters
    ----------
    a : array_like, any shape
        Pre-activations.

    Returns
    -------
    y : ndarray, same shape as ``a``
        A new array equal to ``a``.
    """
    return np.array(_as_float(a), copy=True)


def identity_derivative(y):
    """Derivative of the identity, ``g'(a) = 1``, as an array shaped like ``y``."""
    y = _as_float(y)
    return np.ones_like(y)


def tanh(a):
    """Hyperbolic tangent ``g(a) = tanh(a)``, output in (-1, 1)."""
    return np.tanh(_as_float(a))


def tanh_derivative(y):
    """Derivative of tanh in terms of its output: ``g'(a) = 1 - y**2``."""
    y = _as_float(y)
    return 1 - y * y


def logistic(a):
    """Logistic sigmoid ``g(a) = 1 / (1 + exp(-a))``, output in [0, 1].

    Numerically stable for any ``a``: it is computed as
    ``exp(min(a, 0)) / (1 + exp(-|a|))``, so ``exp`` never sees a large
    positive argument and no overflow warning or ``nan`` can occur.

    Parameters
    ----------
    a : array_like, any shape
        Pre-activations (float32 stays float32).

    Returns
    -------
    y : ndarray, same shape and floating dtype as ``a``
    """
    a = _as_float(a)
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1, e) / (1 + e)


def logistic_derivative(y):
    """Derivative of the logistic in terms of its output: ``g'(a) = y * (1 - y)``."""
    y = _as_float(y)
    return y * (1 - y)


def relu(a):
    """Rectified linear unit ``g(a) = max(0, a)``."""
    a = _as_float(a)
    return np.maximum(a, 0)


def relu_derivative(y):
    """Derivative of ReLU in terms of its output: 1 where ``y > 0``, else 0.

    At ``a = 0`` the derivative is undefined; we use 0 there.
    """
    y = _as_float(y)
    return (y > 0).astype(y.dtype)


def softmax(a):
    """Row-wise softmax ``y_j = exp(a_j) / sum_k exp(a_k)``.

    Stable for any input: the row maximum is subtracted before ``exp``.

    Parameters
    ----------
    a : array_like, shape (N, K) or (K,)
        Pre-activations, one row per sample.

    Returns
    -------
    y : ndarray, same shape as ``a``
        Each row is non-negative and sums to 1.
    """
    a = _as_float(a)
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


#: Registry of activations: ``name -> (g, g_derivative)``, the derivative in
#: terms of the output ``y = g(a)``.
ACTIVATIONS = {
    "identity": (identity, identity_derivative),
    "tanh": (tanh, tanh_derivative),
    "logistic": (logistic, logistic_derivative),
    "relu": (relu, relu_derivative),
}

#: The activations an output layer may have: the registry plus softmax, whose
#: derivative entry is None (with cross-entropy the output delta is ``Y - T``).
OUTPUT_ACTIVATIONS = {**ACTIVATIONS, "softmax": (softmax, None)}


def get_activation(name):
    """``(g, g_derivative)`` of the activation ``name`` from :data:`ACTIVATIONS`.

    Raises
    ------
    ValueError
        For a name that is not in the registry, listing the ones that are.
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose from {list(ACTIVATIONS)}")
    return ACTIVATIONS[name]
