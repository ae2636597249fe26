"""Numerical gradients by central differences, and the gradient check.

This is the one gradient checker of the project: the tests and the
notebooks both use it.
"""

import numpy as np

__all__ = ["check_gradient", "numerical_gradient", "relative_error"]


def numerical_gradient(f, x, eps=1e-5):
    """Gradient of a scalar function by central differences.

    ``df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` for every entry.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x`` and returns a scalar.
    x : array_like, any shape
        Point at which to differentiate. It is not modified: ``f`` is called
        on a float64 copy.
    eps : float, optional
        Step size.

    Returns
    -------
    grad : ndarray of float64, same shape as ``x``
    """
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    xc = np.array(x, dtype=np.float64, order="C", copy=True)  # reshape(-1) must be a view
    grad = np.empty_like(xc)
    flat, gflat = xc.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = float(f(xc))
        flat[i] = old - eps
        f_minus = float(f(xc))
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(analytic, numeric, floor=1e-12):
    """Largest elementwise relative error ``|a - n| / max(|a|, |n|, floor)``.

    Parameters
    ----------
    analytic, numeric : array_like, same shape
    floor : float, optional
        Smallest denominator, so that entries where both gradients vanish
        count as agreeing.

    Returns
    -------
    float
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"shape mismatch: analytic {a.shape} vs numeric {n.shape}")
    if a.size == 0:
        return 0.0
    denom = np.maximum(np.maximum(np.abs(a), np.abs(n)), floor)
    return float(np.max(np.abs(a - n) / denom))


def check_gradient(model, X, T, eps=1e-5):
    """Compare a model's backpropagated gradients with central differences.

    The model must provide ``params`` (a list of arrays),
    ``gradients(X, T) -> (E, grads)`` and ``loss(X, T, params=None) -> E``,
    as :class:`annteach.MLP` and :class:`annteach.CNN` do. Use float64
    models: in float32 the differences are dominated by rounding.

    Parameters
    ----------
    model : object
        The network to check; it is not modified.
    X : ndarray
        Inputs.
    T : ndarray
        Targets.
    eps : float, optional
        Step size of the central differences.

    Returns
    -------
    float
        The maximum relative error over all parameters
        (see :func:`relative_error`).
    """
    _, grads = model.gradients(X, T)
    params = list(model.params)
    worst = 0.0
    for k, P in enumerate(params):
        def f(Pk, k=k):
            trial = params[:k] + [Pk] + params[k + 1:]
            return model.loss(X, T, params=trial)
        worst = max(worst, relative_error(grads[k], numerical_gradient(f, P, eps)))
    return worst
