"""Backpropagation worked through on the lecture's 2-2-1 logistic network.

The network of :func:`annteach.xor_net` with its nine named weights, written in
the matrix form of :func:`annteach.fprop` / :func:`annteach.backprop`
(:func:`annteach.xor_weight_matrices`)::

    W1 = [[w3, w4, b2],        W2 = [[w1, w2, b1]]
          [w5, w6, b3]]

The error here is the one of lecture 4, a sum with a factor 1/2:
``E = 1/2 sum_n (y_n - t_n)**2`` (half of :func:`annteach.xor_error`).
"""

import numpy as np

from .activations import logistic, logistic_derivative
from .gradcheck import numerical_gradient
from .layers import add_bias, backprop, fprop, remove_bias
from .xor import (
    XOR_WEIGHT_POSITIONS,
    XOR_WEIGHTS,
    check_weight_names,
    xor_dataset,
    xor_error,
    xor_weight_matrices,
)
from .xor import xor_weights_from_matrices as _named

__all__ = [
    "xor_backprop_example",
    "xor_gradient",
    "xor_numerical_gradient",
    "xor_values_by_unit",
]

#: The units of the 2-2-1 network by (layer, row) of the matrix form.
_UNITS = {(1, 0): "y", (0, 0): "h1", (0, 1): "h2"}


def _check_samples(X, T):
    X = np.array(X, dtype=np.float64, ndmin=2)
    T = np.array(T, dtype=np.float64, ndmin=1).reshape(-1, 1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"inputs must have shape (N, 2) or (2,), got {X.shape}")
    if T.shape[0] != X.shape[0]:
        raise ValueError(f"need one target per input: {X.shape[0]} inputs, {T.shape[0]} targets")
    return X, T


def _forward_backward(weights, X, T):
    """Forward and backward pass of the 2-2-1 net on N samples, in matrix form."""
    W1, W2 = xor_weight_matrices(weights)
    X1 = add_bias(X)                                   # (N, 3): x1, x2, 1
    A1 = X1 @ W1.T                                     # (N, 2): a of h1, h2
    Y1 = fprop(W1, X1, logistic)                       # (N, 2): h1, h2
    X2 = add_bias(Y1)                                  # (N, 3): h1, h2, 1
    A2 = X2 @ W2.T                                     # (N, 1): a of y
    Y = fprop(W2, X2, logistic)                        # (N, 1): y
    dEdY = Y - T                                       # E = 1/2 sum (y - t)^2
    dEdX2, dEdW2 = backprop(W2, X2, logistic_derivative, Y, dEdY)
    dEdY1 = remove_bias(dEdX2)                         # (N, 2): dE/dh1, dE/dh2
    _, dEdW1 = backprop(W1, X1, logistic_derivative, Y1, dEdY1)
    Delta2 = logistic_derivative(Y) * dEdY             # the deltas backprop uses inside
    Delta1 = logistic_derivative(Y1) * dEdY1
    return A1, Y1, A2, Y, Delta1, Delta2, dEdW1, dEdW2


def xor_backprop_example(x=(0.0, 1.0), t=1.0, weights=None):
    """Every number of one forward and backward pass through the 2-2-1 network.

    For one sample, with ``E = 1/2 (y - t)**2`` and logistic units throughout:
    ``a`` is a unit's pre-activation (weighted input sum, bias included) and
    ``h1, h2, y`` the outputs; ``delta = dE/da`` of each unit:
    ``delta_y = (y - t) y (1 - y)``, ``delta_h1 = h1 (1 - h1) w1 delta_y``,
    ``delta_h2 = h2 (1 - h2) w2 delta_y``; and ``dE/dw = delta x`` for every
    weight (``x`` the input the weight multiplies, 1 for a bias).
    Computed with :func:`annteach.fprop` and :func:`annteach.backprop`.

    Parameters
    ----------
    x : array_like, shape (2,)
        The input ``(x1, x2)``; default the lecture's sample ``(0, 1)``.
    t : float
        Its target; default 1.
    weights : dict, optional
        Weight values by name; missing ones keep :data:`annteach.XOR_WEIGHTS`.

    Returns
    -------
    dict
        ``"forward"``: ``{"a_h1", "h1", "a_h2", "h2", "a_y", "y", "E"}``;
        ``"deltas"``: ``{"delta_y", "delta_h1", "delta_h2"}``;
        ``"gradient"``: ``{"w1": dE/dw1, ..., "b3": dE/db3}`` in the order of
        :data:`annteach.XOR_WEIGHTS`. All values are floats.
    """
    X, T = _check_samples(x, t)
    if X.shape[0] != 1:
        raise ValueError(f"x must be one sample (x1, x2), got shape {X.shape}")
    A1, Y1, A2, Y, Delta1, Delta2, dEdW1, dEdW2 = _forward_backward(weights, X, T)
    forward = {"a_h1": A1[0, 0], "h1": Y1[0, 0], "a_h2": A1[0, 1], "h2": Y1[0, 1],
               "a_y": A2[0, 0], "y": Y[0, 0], "E": 0.5 * (Y[0, 0] - T[0, 0]) ** 2}
    deltas = {"delta_y": Delta2[0, 0], "delta_h1": Delta1[0, 0], "delta_h2": Delta1[0, 1]}
    return {"forward": {k: float(v) for k, v in forward.items()},
            "deltas": {k: float(v) for k, v in deltas.items()},
            "gradient": _named(dEdW1, dEdW2)}


def xor_gradient(weights=None, X=None, T=None):
    """``dE/dw`` of all nine weights, summed over the samples, by backpropagation.

    ``E = 1/2 sum_n (y_n - t_n)**2`` (a sum with 1/2, no mean), computed in
    matrix form with :func:`annteach.fprop` / :func:`annteach.backprop`:
    ``dEdW1 = Delta1.T @ X1`` and ``dEdW2 = Delta2.T @ X2`` sum over the rows.

    Parameters
    ----------
    weights : dict, optional
        Weight values by name; missing ones keep :data:`annteach.XOR_WEIGHTS`.
    X : array_like, shape (N, 2), optional
        Inputs; default the four XOR samples of :func:`annteach.xor_dataset`.
    T : array_like, shape (N,), optional
        Targets (given together with ``X``).

    Returns
    -------
    dict
        ``name -> dE/dname`` (float) in the order of :data:`annteach.XOR_WEIGHTS`.
    """
    if (X is None) != (T is None):
        raise ValueError("give both X and T, or neither (the four XOR samples)")
    if X is None:
        X, T = xor_dataset()
    X, T = _check_samples(X, T)
    *_, dEdW1, dEdW2 = _forward_backward(weights, X, T)
    return _named(dEdW1, dEdW2)


def xor_numerical_gradient(weights=None, eps=1e-5):
    """The same nine derivatives as :func:`xor_gradient` by central differences.

    Differentiates ``E = 1/2 * xor_error(**weights)`` (the four XOR samples)
    with :func:`annteach.numerical_gradient`; no backpropagation involved.

    Returns
    -------
    dict
        ``name -> dE/dname`` (float) in the order of :data:`annteach.XOR_WEIGHTS`.
    """
    weights = {} if weights is None else dict(weights)
    check_weight_names(weights)
    names = list(XOR_WEIGHTS)
    w = np.array([float({**XOR_WEIGHTS, **weights}[k]) for k in names])
    grad = numerical_gradient(lambda v: 0.5 * xor_error(**dict(zip(names, v))), w, eps)
    return dict(zip(names, (float(g) for g in grad)))


def xor_values_by_unit(values, prefix="", digits=4):
    """Nine named numbers of the 2-2-1 network (weights or derivatives), one line per unit.

    The line of a unit lists the weights that lead into it, in the order of
    its row of the matrix form (:data:`annteach.XOR_WEIGHT_POSITIONS`): the
    output ``y`` (``w1, w2, b1``), then ``h1`` (``w3, w4, b2``) and ``h2``
    (``w5, w6, b3``).

    Parameters
    ----------
    values : dict
        ``name -> number`` for all nine names of :data:`annteach.XOR_WEIGHTS`.
    prefix : str, optional
        Written before each name, e.g. ``"dE/d"``.
    digits : int, optional
        Decimal places.

    Returns
    -------
    str
        Three lines such as ``"y : dE/dw1 = -0.0566  dE/dw2 = -0.0525  dE/db1 = -0.1078"``.
    """
    values = dict(values)
    check_weight_names(values)
    missing = [name for name in XOR_WEIGHTS if name not in values]
    if missing:
        raise ValueError(f"values for all nine weights are needed; missing {missing}")
    rows = {unit: [None] * 3 for unit in _UNITS.values()}
    for name, (layer, row, column) in XOR_WEIGHT_POSITIONS.items():
        number = float(values[name]) + 0.0                 # no "-0.0000"
        rows[_UNITS[layer, row]][column] = f"{prefix}{name} = {number:{digits + 3}.{digits}f}"
    return "\n".join(f"{unit:2s}: " + "  ".join(cells) for unit, cells in rows.items())
