"""The convolutional layers of a CNN as forward/backward pairs: convolution,
max-pooling, ReLU and flattening.

Every layer is a pair of pure functions::

    out, cache = layer_forward(inputs..., params...)
    grads = layer_backward(dout, cache)

``forward`` returns its output and a ``cache`` of whatever the backward pass
needs; ``backward`` takes the gradient of the error with respect to that
output (``dout``, shaped like ``out``) and returns the gradients with respect
to the inputs and the parameters. No function modifies its arguments.

Images are 4-D arrays ``(N, C, H, W)``: N images of C channels of H x W
pixels. The functions work in the dtype they are given (float32 for training
and inference, float64 for gradient checks).

Memory layout: the convolution multiplies one weight matrix with one big
matrix of image patches (im2col), which produces its output channel-major,
i.e. stored as ``(C, N, H, W)``. It is returned as an ``(N, C, H, W)`` view
of that memory (a transpose, no copy), and the layers below keep whatever
layout they are given, so a whole network runs without reordering copies.
Use :func:`numpy.ascontiguousarray` if you need C order.

The fully connected layers of a CNN are the lecture's own ``fprop``/``backprop``
(:mod:`annteach.layers`, biases in the last column of ``W``), its output a
softmax (:mod:`annteach.activations`) and its loss the cross-entropy
(:mod:`annteach.losses`); see :class:`annteach.CNN`.

The layer pairs are written to be read. Training spends most of its time in
the block conv -> max-pool -> ReLU, so :mod:`annteach.conv_block` has that
block as one pair, ``conv_block_forward`` / ``conv_block_backward``: the same
function and gradients (tested against the three pairs composed), computed in
another memory layout and about twice as fast.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .activations import relu, relu_derivative

__all__ = [
    "conv_backward",
    "conv_arguments",
    "conv_forward",
    "flatten_backward",
    "flatten_forward",
    "maxpool_backward",
    "maxpool_forward",
    "relu_backward",
    "relu_forward",
]


def _float_array(name, A, ndim):
    A = np.asarray(A)
    if A.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {A.shape}")
    if not np.issubdtype(A.dtype, np.floating):
        A = A.astype(np.float64)
    return A


def _channel_major(X):
    """``X`` (N, C, H, W) as a (C, N, H, W) array (a view when the memory allows)."""
    return X.transpose(1, 0, 2, 3)


# -- convolution ----------------------------------------------------------

def _padded_rows(X, pad, tail):
    """``X`` (N, C, H, W) zero padded, channel-major, each channel one flat row.

    Returns the buffer ``(C, N Hp Wp + tail)`` (``tail`` extra zeros at the
    end) and ``Hp, Wp``.
    """
    N, C, H, W = X.shape
    Hp, Wp = H + 2 * pad, W + 2 * pad
    buf = np.zeros((C, N * Hp * Wp + tail), dtype=X.dtype)
    view = buf[:, :N * Hp * Wp].reshape(C, N, Hp, Wp)
    view[:, :, pad:pad + H, pad:pad + W] = _channel_major(X)
    return buf, Hp, Wp


def _patch_rows(buf, N, Hp, Wp, k, rows, writeable=False):
    """Strided view ``(C, k, k, N, rows Wp)`` of a buffer from :func:`_padded_rows`.

    Entry ``[c, u, v, n, r]`` is element ``n Hp Wp + u Wp + v + r`` of channel
    ``c``: for ``r = i Wp + j`` that is pixel ``(i + u, j + v)`` of image
    ``n``, i.e. tap ``(u, v)`` of the filter at output position ``(i, j)``.
    Positions with ``j > Wp - k`` wrap into the next row: they are computed
    and thrown away, so that every run of ``rows Wp`` entries is contiguous
    in memory (fast copies instead of gathers of ``k`` pixels).
    """
    s = buf.itemsize
    return as_strided(buf, shape=(buf.shape[0], k, k, N, rows * Wp),
                      strides=(buf.strides[0], Wp * s, s, Hp * Wp * s, s), writeable=writeable)


def conv_arguments(X, W, b, pad):
    """``X, W, b`` as arrays of one float dtype and ``pad`` as an int, checked."""
    X = _float_array("X", X, 4)
    W = np.asarray(W, dtype=X.dtype)
    b = np.asarray(b, dtype=X.dtype)
    pad = int(pad)
    C = X.shape[1]
    if W.ndim != 4 or W.shape[1] != C or W.shape[2] != W.shape[3]:
        raise ValueError(f"W must have shape (F, {C}, k, k) for X of shape {X.shape}, "
                         f"got {W.shape}")
    if b.shape != (W.shape[0],):
        raise ValueError(f"b must have shape ({W.shape[0]},), got {b.shape}")
    if pad < 0:
        raise ValueError(f"pad must be >= 0, got {pad}")
    return X, W, b, pad


def conv_forward(X, W, b, pad=0):
    """2-D convolution (cross-correlation), stride 1, zero padding.

    ``out[n, f, i, j] = b[f] + sum_{c, u, v} W[f, c, u, v] * Xp[n, c, i + u, j + v]``
    where ``Xp`` is ``X`` with ``pad`` zeros on every side. Computed as one
    matrix product of the weights ``(F, C k k)`` with the patches of all
    images ``(C k k, N Ho Wp)`` (im2col, copied from a strided view of the
    padded images; the product also covers ``k - 1`` wrapped-around columns
    per row, which are dropped, so that the copy moves whole rows).

    Parameters
    ----------
    X : ndarray, shape (N, C, H, W)
        Input images.
    W : ndarray, shape (F, C, k, k)
        F filters of C channels, k x k pixels.
    b : ndarray, shape (F,)
        Biases.
    pad : int, optional
        Zeros added on each side; ``pad = (k - 1) // 2`` keeps the size.

    Returns
    -------
    out : ndarray, shape (N, F, H + 2 pad - k + 1, W + 2 pad - k + 1)
        Stored channel-major (a view, see the module docstring).
    cache : tuple
        For :func:`conv_backward`.
    """
    X, W, b, pad = conv_arguments(X, W, b, pad)
    N, C, H, Wd = X.shape
    F, _, k, _ = W.shape
    Ho, Wo = H + 2 * pad - k + 1, Wd + 2 * pad - k + 1
    if Ho < 1 or Wo < 1:
        raise ValueError(f"kernel {k}x{k} does not fit images {H}x{Wd} with pad {pad}")
    buf, Hp, Wp = _padded_rows(X, pad, k - 1)
    cols = _patch_rows(buf, N, Hp, Wp, k, Ho).reshape(C * k * k, N * Ho * Wp)
    out = W.reshape(F, C * k * k) @ cols                      # (F, N Ho Wp)
    out += b[:, None]
    out = out.reshape(F, N, Ho, Wp)[:, :, :, :Wo].transpose(1, 0, 2, 3)
    return out, (cols, W, X.shape, pad)


def conv_backward(dout, cache, input_gradient=True):
    """Backward pass of :func:`conv_forward`.

    ``dW = dout @ cols.T`` and ``db = sum(dout)`` over images and positions.
    ``dX``: ``dcols = W.T @ dout`` gives each patch's gradient; adding them
    back (col2im) takes ``k k`` in-place additions of contiguous runs, one per
    filter tap (measured faster here than a transposed convolution by a
    second im2col, whose patch matrix is ``F / C`` times larger).

    Parameters
    ----------
    dout : ndarray, shape (N, F, Ho, Wo)
    cache : tuple
        From :func:`conv_forward`.
    input_gradient : bool, optional
        Compute ``dX`` (not needed for the first layer of a network).

    Returns
    -------
    dX : ndarray, shape (N, C, H, W), or None
        Stored channel-major.
    dW : ndarray, shape (F, C, k, k)
    db : ndarray, shape (F,)
    """
    cols, W, (N, C, H, Wd), pad = cache
    F, _, k, _ = W.shape
    Hp, Wp = H + 2 * pad, Wd + 2 * pad
    Ho, Wo = Hp - k + 1, Wp - k + 1
    dout = np.asarray(dout, dtype=W.dtype)
    if dout.shape != (N, F, Ho, Wo):
        raise ValueError(f"dout must have shape {(N, F, Ho, Wo)}, got {dout.shape}")
    d = np.zeros((F, N, Ho, Wp), dtype=W.dtype)               # wrapped columns get 0
    d[:, :, :, :Wo] = _channel_major(dout)
    d2 = d.reshape(F, N * Ho * Wp)
    dW = (d2 @ cols.T).reshape(W.shape)
    db = d2.sum(axis=1)
    if not input_gradient:
        return None, dW, db
    dcols = (W.reshape(F, C * k * k).T @ d2).reshape(C, k, k, N, Ho * Wp)
    dbuf = np.zeros((C, N * Hp * Wp + k - 1), dtype=W.dtype)
    taps = _patch_rows(dbuf, N, Hp, Wp, k, Ho, writeable=True)
    for u in range(k):
        for v in range(k):
            taps[:, u, v] += dcols[:, u, v]   # one tap: no entry repeats within it
    dX = dbuf[:, :N * Hp * Wp].reshape(C, N, Hp, Wp)[:, :, pad:pad + H, pad:pad + Wd]
    return dX.transpose(1, 0, 2, 3), dW, db


# -- max-pooling ----------------------------------------------------------

def _quarters(X):
    """The four 2x2-window members of ``X`` (N, C, 2 Hp, 2 Wp): views, (i, j) order."""
    return [X[:, :, i::2, j::2] for i in (0, 1) for j in (0, 1)]


def maxpool_forward(X):
    """2x2 max-pooling with stride 2.

    Odd heights or widths drop the last row or column (as most libraries do).

    Parameters
    ----------
    X : ndarray, shape (N, C, H, W)

    Returns
    -------
    out : ndarray, shape (N, C, H // 2, W // 2)
        Same memory layout as ``X``.
    cache : tuple
        For :func:`maxpool_backward`.
    """
    X = _float_array("X", X, 4)
    N, C, H, Wd = X.shape
    if H < 2 or Wd < 2:
        raise ValueError(f"max-pooling needs images of at least 2x2, got {H}x{Wd}")
    Xe = X[:, :, :H - H % 2, :Wd - Wd % 2]
    pairs = np.maximum(Xe[:, :, :, 0::2], Xe[:, :, :, 1::2])   # max over column pairs
    out = np.maximum(pairs[:, :, 0::2], pairs[:, :, 1::2])     # then over row pairs
    return out, (Xe, out, X.shape)


def maxpool_backward(dout, cache):
    """Backward pass of :func:`maxpool_forward`.

    Each window's gradient goes to its maximum. With ties it goes to the
    first maximal entry in row-major order within the window, so that the
    gradient of every window sums to ``dout`` (as with an argmax).

    Parameters
    ----------
    dout : ndarray, shape (N, C, H // 2, W // 2)
    cache : tuple
        From :func:`maxpool_forward`.

    Returns
    -------
    dX : ndarray, shape (N, C, H, W)
    """
    Xe, out, shape = cache
    dout = np.asarray(dout, dtype=out.dtype)
    if dout.shape != out.shape:
        raise ValueError(f"dout must have shape {out.shape}, got {dout.shape}")
    dX = np.zeros_like(Xe, shape=shape) if Xe.shape != shape else np.zeros_like(Xe)
    dXe = dX[:, :, :Xe.shape[2], :Xe.shape[3]]
    taken = None
    for (i, j), x in zip([(0, 0), (0, 1), (1, 0), (1, 1)], _quarters(Xe), strict=True):
        hit = x == out
        if taken is None:
            taken = hit
        else:
            hit &= ~taken
            taken |= hit
        np.multiply(dout, hit, out=dXe[:, :, i::2, j::2])
    return dX


# -- ReLU -----------------------------------------------------------------

def relu_forward(X):
    """Rectified linear unit ``max(X, 0)``, elementwise (:func:`annteach.relu`).

    Parameters
    ----------
    X : ndarray, any shape

    Returns
    -------
    out : ndarray, shape of ``X`` (same memory layout)
    cache : ndarray
        The output, for :func:`relu_backward`.
    """
    out = relu(X)
    return out, out


def relu_backward(dout, cache):
    """Backward pass of :func:`relu_forward`: ``relu_derivative(out) * dout``,
    i.e. ``dout`` where the output is positive, else 0.

    Parameters
    ----------
    dout : ndarray, shape of the output
    cache : ndarray
        From :func:`relu_forward`.

    Returns
    -------
    dX : ndarray, shape of ``dout``
    """
    out = cache
    dout = np.asarray(dout, dtype=out.dtype)
    if dout.shape != out.shape:
        raise ValueError(f"dout must have shape {out.shape}, got {dout.shape}")
    return relu_derivative(out) * dout


# -- flatten ----------------------------------------------------------------

def flatten_forward(X):
    """Flatten every image into one row: (N, C, H, W) -> (N, C H W), C order per image.

    Parameters
    ----------
    X : ndarray, shape (N, ...)

    Returns
    -------
    out : ndarray, shape (N, prod(...))
        A new C-contiguous array.
    cache : tuple
        The input shape, for :func:`flatten_backward`.
    """
    X = np.asarray(X)
    if X.ndim < 1:
        raise ValueError("X needs a leading sample axis")
    return np.ascontiguousarray(X).reshape(X.shape[0], -1), X.shape


def flatten_backward(dout, cache):
    """Backward pass of :func:`flatten_forward`: reshape back.

    Parameters
    ----------
    dout : ndarray, shape (N, prod(...))
    cache : tuple
        From :func:`flatten_forward`.

    Returns
    -------
    dX : ndarray, shape (N, ...)
    """
    return np.asarray(dout).reshape(cache)
