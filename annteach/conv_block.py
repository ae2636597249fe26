"""Convolution, 2x2 max-pooling and ReLU as one fast forward/backward pair.

:func:`conv_block_forward` computes what :func:`annteach.conv.conv_forward`,
:func:`annteach.conv.maxpool_forward` and :func:`annteach.conv.relu_forward`
compute one after the other, and :func:`conv_block_backward` their gradients
(tests check both against the plain pairs composed). The plain pairs in
:mod:`annteach.conv` are the ones to read; this module is organised for speed
and is what :class:`annteach.CNN` trains with. Its big arrays may live in a
``workspace`` dict, reused by the next call (the only argument it modifies).
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .conv import conv_arguments

__all__ = ["conv_block_backward", "conv_block_forward"]

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
# * Inference multiplies whole pooling windows: the (k + 1) x (k + 1) patch
#   under a 2 x 2 window holds the k x k patches of its four members, so one
#   product with the four members' filters stacked, (4 F, (k+1)^2 C + 1) @
#   ((k+1)^2 C + 1, N), gives the whole window (zeros where a member's
#   filter does not reach). That is (k+1)^2 / k^2 times the multiplications
#   (1.44 for k = 5), but a quarter of the products, each with four times the
#   rows, and 2.8 times fewer numbers to copy into the patch matrix: the
#   CNN classified the 10,000 test images about a fifth faster (batches of
#   250, one thread). Stacking only pairs of members measured no faster for
#   the second layer. Training keeps one product per position, whose patch
#   matrix serves the weight gradient and whose products measured faster at
#   its batch size. The two ways may sum in a different order, so they agree
#   to rounding.
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

    The same function as :func:`annteach.conv.conv_forward`,
    :func:`annteach.conv.maxpool_forward` and :func:`annteach.conv.relu_forward`
    composed, computed as described in the comment at the top of this module.

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
        Keep what the backward pass needs. Without it (inference) each
        2 x 2 pooling window is computed by one product, band by band, which
        is faster (equal to rounding); the cache is then None.

    Returns
    -------
    out : ndarray, shape (N, F, Ho // 2, Wo // 2)
        ``max(maxpool(conv(X)), 0)``, with ``Ho = H + 2 pad - k + 1`` (and
        ``Wo`` alike); stored as (Ho // 2, Wo // 2, F, N).
    cache : tuple or None
        For :func:`conv_block_backward`.
    """
    X, W, b, pad = conv_arguments(X, W, b, pad)
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
    P = _buffer(ws, "P", (H2, W2, F, N), dt)
    if not keep:
        _pooled_windows(Xp, W, b, P, ws)
        return P.transpose(3, 2, 0, 1), None
    Wb = np.empty((F, K + 1), dt)
    Wb[:, :K].reshape(F, k, k, C)[...] = W.transpose(0, 2, 3, 1)
    Wb[:, K] = b
    Y = _buffer(ws, "Y", (4, H2, W2, F, N), dt)                # conv output by window member
    cols = _buffer(ws, "cols", (2 * H2, 2 * W2, K + 1, N), dt, fill=1)   # all positions
    for rows in _bands(H2, 4 * W2 * (K + 1) * N * dt.itemsize):
        Yr, Pr = Y[:, rows], P[rows]
        band = cols[2 * rows.start:2 * rows.stop]
        np.matmul(Wb, _patch_matrix(Xp, k, rows, band), out=_by_position(Yr))
        np.maximum.reduce(Yr, axis=0, out=Pr, initial=0)   # max of the 4 members and 0
    out = P.transpose(3, 2, 0, 1)
    return out, (cols, Y, P, Wb, X.shape, pad, k, workspace)


def _pooled_windows(Xp, W, b, P, ws):
    """Inference: ``P`` (H2, W2, F, N) = ReLU(max-pool(conv)) of ``Xp`` (Hp, Wp, C, N), by windows.

    Each 2 x 2 pooling window is one product of the four members' filters,
    stacked into ``(4 F, s s C + 1)`` weights (``s = k + 1``), with the
    window's ``s x s`` patch (see the comment at the top of the module).
    """
    F, C, k, _ = W.shape
    H2, W2, _, N = P.shape
    s, dt = k + 1, P.dtype
    K = s * s * C
    W4 = np.zeros((2, 2, F, s, s, C), dt)       # member (a, b): its filter at offset (a, b)
    for a in range(2):
        for c in range(2):
            W4[a, c, :, a:a + k, c:c + k] = W.transpose(0, 2, 3, 1)
    Wb = np.empty((4 * F, K + 1), dt)
    Wb[:, :K] = W4.reshape(4 * F, K)
    Wb[:, K] = np.tile(b, 4)
    sH, sW, sC, sN = Xp.strides
    windows = as_strided(Xp, shape=(H2, W2, s, s, C, N),
                         strides=(2 * sH, 2 * sW, sH, sW, sC, sN), writeable=False)
    bands = _bands(H2, W2 * (K + 1) * N * dt.itemsize)
    r = bands[0].stop - bands[0].start
    band = _buffer(ws, "windows", (r, W2, K + 1, N), dt, fill=1)   # row K stays 1
    Y = _buffer(ws, "Y4", (r, W2, 4, F, N), dt)
    for rows in bands:
        n = rows.stop - rows.start
        np.copyto(band[:n, :, :K].reshape(n, W2, s, s, C, N), windows[rows])
        Yr, Pr = Y[:n], P[rows]
        np.matmul(Wb, band[:n], out=Yr.reshape(n, W2, 4 * F, N))
        np.maximum.reduce(Yr, axis=2, out=Pr, initial=0)   # max of the 4 members and 0


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
