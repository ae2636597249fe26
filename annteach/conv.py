"""The convolutional layers of a CNN as forward/backward pairs: convolution,
max-pooling, ReLU and flattening.

Every layer is a pair of pure functions::

    out, cache = layer_forward(inputs..., params...)
    grads = layer_backward(dout, cache)

``forward`` returns its output and a ``cache`` of whatever the backward pass
needs; ``backward`` takes the gradient of the error with respect to that
output (``dout``, shaped like ``out``) and returns the gradients with respect
to the inputs and the parameters. No function modifies its arguments (except
the ``workspace`` of the fast pair at the end, a dict of buffers for reuse).

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
the block conv -> max-pool -> ReLU, so the end of the module has that block
as one pair, :func:`conv_block_forward` / :func:`conv_block_backward`:
the same function and gradients (tested against the three pairs composed),
computed in another memory layout and about twice as fast.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .activations import relu, relu_derivative

__all__ = [
    "conv_backward",
    "conv_block_backward",
    "conv_block_forward",
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


def _conv_arguments(X, W, b, pad):
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
    X, W, b, pad = _conv_arguments(X, W, b, pad)
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


# -- fast path: conv, max-pool 2x2 and ReLU as one pair -------------------
#
# The same block as conv_forward -> maxpool_forward -> relu_forward, organised
# for speed rather than for reading:
#
# * Memory layout (H, W, C, N): the images of the batch are the innermost axis.
#   Copying patches then moves runs of C N numbers, and the output of one block
#   is the input of the next without a copy. Arrays are still returned with
#   shape (N, C, H, W), as views of that memory.
# * One small matrix product per output position, (F, K + 1) @ (K + 1, N) with
#   K = k k C, instead of one (F, K + 1) @ (K + 1, positions N) product: each
#   small product fits in the cache, and OpenBLAS computes the stack of them
#   about twice as fast as the one big product (measured for the CNN's second
#   layer: 45 against 21 GFLOP/s on one core).
# * The bias is the last column of the weights, multiplied by a row of ones
#   in the patch matrix (as in the lecture's dense layers).
# * The products write their output grouped by the position within the 2 x 2
#   pooling window, so the four members of all windows are four contiguous
#   arrays: pooling is three elementwise maxima, then ReLU in place.
# * Backward routes each window's gradient to its first maximal member with
#   three comparisons (the tie rule of maxpool_backward), ReLU included.
# * The forward pass goes through the image in bands of a few output rows:
#   the patches of one band (about 1 MB) are copied, multiplied and pooled
#   while they are still in the processor's cache. For inference
#   (``keep=False``) the next band reuses that memory, which measured a
#   quarter faster than writing the patch matrix of the whole batch (many
#   megabytes) to memory and reading it back. Training keeps the whole patch
#   matrix for the weight gradient (copying it again in the backward pass,
#   or banding that pass too, measured slower).
# * Optionally all big arrays live in a ``workspace`` dict and are reused by
#   the next call, so that a training loop allocates no large arrays per step.

_BAND_BYTES = 1 << 20   # patch matrix of one band of rows: about 1 MB


def _buffer(workspace, name, shape, dtype, fill=None):
    """Array ``workspace[name]`` of the given shape and dtype, made (and filled) if needed."""
    buf = workspace.get(name)
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = np.empty(shape, dtype) if fill is None else np.full(shape, fill, dtype)
        workspace[name] = buf
    return buf


def _window_patches(Xp, k, Ho, Wo):
    """View ``(Ho, Wo, k, k, C, N)`` of ``Xp`` (Hp, Wp, C, N): ``[i, j, u, v] = Xp[i+u, j+v]``."""
    sH, sW, sC, sN = Xp.strides
    return as_strided(Xp, shape=(Ho, Wo, k, k) + Xp.shape[2:], strides=(sH, sW, sH, sW, sC, sN),
                      writeable=False)


def _by_position(Q):
    """A ``(4, H2, W2, ...)`` array grouped by window member, as an ``(H2, 2, W2, 2, ...)`` view.

    Member ``2 a + b`` of window ``(i, j)`` is output position ``(2 i + a, 2 j + b)``.
    """
    rest = tuple(range(4, Q.ndim + 1))
    return Q.reshape((2, 2) + Q.shape[1:]).transpose((2, 0, 3, 1) + rest)


def _bands(H2, bytes_per_row):
    """Slices of the pooled rows ``0..H2``, each band's patches about ``_BAND_BYTES``."""
    step = max(1, min(H2, _BAND_BYTES // max(1, bytes_per_row)))
    return [slice(i, min(H2, i + step)) for i in range(0, H2, step)]


def _patch_matrix(Xp, k, rows, cols):
    """Copy the patches of the pooled rows ``rows`` into ``cols`` (whose row K stays 1).

    ``cols`` has room for ``(2 r, Wo, K + 1, N)``: the two output rows of each
    of the ``r`` pooled rows, ``Wo`` positions each. Returns the filled part
    as an ``(r, 2, W2, 2, K + 1, N)`` view (grouped by pooling window).
    """
    r = rows.stop - rows.start
    Wo, K1, N = cols.shape[1:]
    C = Xp.shape[2]
    band = cols[:2 * r]
    patches = _window_patches(Xp[2 * rows.start:2 * rows.stop + k - 1], k, 2 * r, Wo)
    np.copyto(band[:, :, :K1 - 1].reshape(2 * r, Wo, k, k, C, N), patches)
    return band.reshape(r, 2, Wo // 2, 2, K1, N)


def conv_block_forward(X, W, b, pad=0, workspace=None, keep=True):
    """Convolution, 2x2 max-pooling and ReLU in one pass (fast path).

    The same function as :func:`conv_forward`, :func:`maxpool_forward` and
    :func:`relu_forward` composed, computed as described in the comment above
    this function in the source.

    Parameters
    ----------
    X : ndarray, shape (N, C, H, W)
        Input images; fastest when stored as (H, W, C, N), as this block's
        output is. Kept (not copied) for the backward pass: do not change it
        in between.
    W : ndarray, shape (F, C, k, k)
    b : ndarray, shape (F,)
    pad : int, optional
    workspace : dict, optional
        Buffers to reuse (one dict per layer and thread). The output and the
        cache then live in it and stay valid until the next call with the same
        workspace. By default every call makes new arrays.
    keep : bool, optional
        Keep what the backward pass needs. Without it (inference) the patches
        of one band of rows at a time are all that is stored, which is
        faster; the cache is then None.

    Returns
    -------
    out : ndarray, shape (N, F, Ho // 2, Wo // 2)
        ``max(maxpool(conv(X)), 0)``, with ``Ho = H + 2 pad - k + 1`` (and
        ``Wo`` alike); stored as (Ho // 2, Wo // 2, F, N).
    cache : tuple or None
        For :func:`conv_block_backward`.
    """
    X, W, b, pad = _conv_arguments(X, W, b, pad)
    N, C, H, Wd = X.shape
    F, _, k, _ = W.shape
    Hp, Wp = H + 2 * pad, Wd + 2 * pad
    H2, W2 = (Hp - k + 1) // 2, (Wp - k + 1) // 2
    if H2 < 1 or W2 < 1:
        raise ValueError(f"kernel {k}x{k} with pad {pad} leaves less than 2x2 of images "
                         f"{H}x{Wd} to pool")
    ws = {} if workspace is None else workspace
    dt = X.dtype
    K = k * k * C                               # an odd last row or column is never pooled
    Xt = X.transpose(2, 3, 1, 0)                # (H, W, C, N)
    if pad == 0 and Xt.flags.c_contiguous:
        Xp = Xt
    else:
        Xp = _buffer(ws, "Xp", (Hp, Wp, C, N), dt, fill=0)   # the border stays 0
        Xp[pad:pad + H, pad:pad + Wd] = Xt
    Wb = np.empty((F, K + 1), dt)
    Wb[:, :K].reshape(F, k, k, C)[...] = W.transpose(0, 2, 3, 1)
    Wb[:, K] = b
    Y = _buffer(ws, "Y", (4, H2, W2, F, N), dt)                # conv output by window member
    P = _buffer(ws, "P", (H2, W2, F, N), dt)
    bands = _bands(H2, 4 * W2 * (K + 1) * N * dt.itemsize)
    if keep:   # the patch matrix of all positions, for the backward pass
        cols = _buffer(ws, "cols", (2 * H2, 2 * W2, K + 1, N), dt, fill=1)
    else:      # the patches of one band, reused by the next
        cols = _buffer(ws, "band", (2 * (bands[0].stop - bands[0].start), 2 * W2, K + 1, N),
                       dt, fill=1)
    for rows in bands:
        Yr, Pr = Y[:, rows], P[rows]
        band = cols[2 * rows.start:2 * rows.stop] if keep else cols
        np.matmul(Wb, _patch_matrix(Xp, k, rows, band), out=_by_position(Yr))
        np.maximum(Yr[0], Yr[1], out=Pr)
        np.maximum(Pr, Yr[2], out=Pr)
        np.maximum(Pr, Yr[3], out=Pr)
        np.maximum(Pr, 0, out=Pr)
    out = P.transpose(3, 2, 0, 1)
    return out, ((cols, Y, P, Wb, X.shape, pad, k, workspace) if keep else None)


def conv_block_backward(dout, cache, input_gradient=True):
    """Backward pass of :func:`conv_block_forward`.

    Parameters
    ----------
    dout : ndarray, shape (N, F, Ho // 2, Wo // 2)
    cache : tuple
        From :func:`conv_block_forward` (with a workspace: from the latest
        call with it).
    input_gradient : bool, optional
        Compute ``dX`` (not needed for the first layer of a network).

    Returns
    -------
    dX : ndarray, shape (N, C, H, W), or None
        Stored as (H, W, C, N); in the workspace if one was given.
    dW : ndarray, shape (F, C, k, k)
    db : ndarray, shape (F,)
    """
    cols, Y, P, Wb, (N, C, H, Wd), pad, k, workspace = cache
    ws = {} if workspace is None else workspace
    F, K1 = Wb.shape
    K = K1 - 1
    dt = Wb.dtype
    H2, W2 = P.shape[:2]
    dout = np.asarray(dout, dtype=dt)
    if dout.shape != (N, F, H2, W2):
        raise ValueError(f"dout must have shape {(N, F, H2, W2)}, got {dout.shape}")
    # ReLU, then max-pooling: each window's gradient goes to its first maximal member
    G = _buffer(ws, "G", P.shape, dt)
    hit = _buffer(ws, "hit", P.shape, np.bool_)
    np.greater(P, 0, out=hit)
    np.multiply(dout.transpose(2, 3, 1, 0), hit, out=G)
    dY = _buffer(ws, "dY", Y.shape, dt)
    for m in range(3):
        np.equal(Y[m], P, out=hit)
        np.multiply(G, hit, out=dY[m])
        np.subtract(G, dY[m], out=G)           # what is left for the later members
    np.copyto(dY[3], G)
    # weights and bias: one product per position, summed over the positions
    dYp = _by_position(dY)                                       # (H2, 2, W2, 2, F, N)
    per_position = _buffer(ws, "dWb", (H2, 2, W2, 2, K1, F), dt)
    np.matmul(cols.reshape(H2, 2, W2, 2, K1, N), dYp.swapaxes(-1, -2), out=per_position)
    dWb = per_position.reshape(-1, K1, F).sum(axis=0)            # (K + 1, F)
    dW = np.ascontiguousarray(dWb[:K].reshape(k, k, C, F).transpose(3, 2, 0, 1))
    db = dWb[K].copy()
    if not input_gradient:
        return None, dW, db
    # inputs: each patch's gradient, added back where the patch came from (col2im)
    Ho, Wo = 2 * H2, 2 * W2
    dcols = _buffer(ws, "dcols", (Ho, Wo, K, N), dt)
    np.matmul(Wb[:, :K].T, dYp, out=dcols.reshape(H2, 2, W2, 2, K, N))
    Hp, Wp = H + 2 * pad, Wd + 2 * pad
    dXp = _buffer(ws, "dXp", (Hp, Wp, C, N), dt)
    dXp[...] = 0
    taps = dcols.reshape(Ho, Wo, k, k, C, N)
    for u in range(k):
        for v in range(k):
            window = dXp[u:u + Ho, v:v + Wo]
            np.add(window, taps[:, :, u, v], out=window)
    return dXp[pad:pad + H, pad:pad + Wd].transpose(3, 2, 0, 1), dW, db
