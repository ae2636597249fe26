"""Checks of arguments shared by the models and the training loop.

Each check returns the value it accepts (as a plain Python number) and raises a
``ValueError`` that names the argument and what was wrong with it.
"""

import math
import numbers

import numpy as np

__all__ = ["check_finite_array", "check_integer", "check_real"]


def check_integer(name, value, minimum=None):
    """``value`` as an int, if it is an integer (not a bool, not a float) >= ``minimum``.

    Parameters
    ----------
    name : str
        How the argument is called in the message.
    value : object
    minimum : int, optional

    Returns
    -------
    int
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def check_real(name, value, *, positive=False, minimum=None, below=None):
    """``value`` as a finite float (not NaN or infinite), optionally in a range.

    Parameters
    ----------
    name : str
    value : object
    positive : bool, optional
        Require ``value > 0``.
    minimum, below : float, optional
        Require ``minimum <= value`` and ``value < below``.

    Returns
    -------
    float
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and not value > 0:
        raise ValueError(f"{name} must be positive, got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if below is not None and not value < below:
        raise ValueError(f"{name} must be less than {below}, got {value}")
    return value


def check_finite_array(name, X):
    """Raise ValueError if the array ``X`` holds NaN or infinite values.

    Parameters
    ----------
    name : str
    X : ndarray
        Of any dtype; only floating and complex arrays can hold such values.
    """
    if X.dtype.kind in "fc" and not np.isfinite(X).all():
        bad = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(f"{name} must be finite, but {name}[{', '.join(map(str, bad))}] is "
                         f"{X[tuple(bad)]}")
