"""Moving images by whole pixels, to test how a network copes with shifted digits.

:func:`shift_images` moves every image of a batch right and down (negative:
left and up) with zeros coming in at the other side; :func:`lost_ink` says
which images lose ink over the edge in doing so.
"""

import numpy as np

from .checks import check_integer

__all__ = ["lost_ink", "shift_images"]


def _checked_shift(X, right, down):
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(f"images must have shape (..., H, W), got {X.shape}")
    H, W = X.shape[-2:]
    right, down = check_integer("right", right), check_integer("down", down)
    if abs(right) >= W or abs(down) >= H:
        raise ValueError(f"a shift must be smaller than the images ({H}x{W}), got "
                         f"right={right}, down={down}")
    return X, right, down


def shift_images(X, right=0, down=0):
    """The images moved ``right`` pixels to the right and ``down`` pixels down.

    Parameters
    ----------
    X : array_like, shape (..., H, W)
        Images (for example (N, 1, 28, 28) or (N, 28, 28)).
    right, down : int, optional
        Pixels to move by; negative values move left and up. Less than W
        and H in size.

    Returns
    -------
    ndarray, shape (..., H, W)
        A new array of ``X``'s dtype: pixels that leave the frame are gone,
        the ones that come in are 0. ``X`` is not changed.
    """
    X, right, down = _checked_shift(X, right, down)
    H, W = X.shape[-2:]
    rows_to, rows_from = _slices(down, H)
    cols_to, cols_from = _slices(right, W)
    out = np.zeros_like(X)
    out[..., rows_to, cols_to] = X[..., rows_from, cols_from]
    return out


def _slices(shift, size):
    """Where pixels go to and come from along one axis of ``size`` pixels."""
    return slice(max(shift, 0), size + min(shift, 0)), slice(max(-shift, 0), size - max(shift, 0))


def lost_ink(X, right=0, down=0):
    """Which images lose ink (non-zero pixels) over the edge when shifted.

    Parameters
    ----------
    X : array_like, shape (N, ..., H, W)
        A batch of images; the first axis counts them.
    right, down : int, optional
        The shift, as in :func:`shift_images`.

    Returns
    -------
    ndarray of bool, shape (N,)
        True where :func:`shift_images` moves a non-zero pixel out of the frame.
    """
    X, right, down = _checked_shift(X, right, down)
    if X.ndim < 3:
        raise ValueError(f"need a batch of images (N, ..., H, W), got {X.shape}")
    shifted = shift_images(X, right, down)
    axes = tuple(range(1, X.ndim))
    return np.count_nonzero(shifted, axis=axes) < np.count_nonzero(X, axis=axes)
