"""Tests of annteach.conv: gradient checks of every layer pair and edge cases."""

import numpy as np
import pytest

from annteach import conv, conv_block
from annteach.gradcheck import numerical_gradient, relative_error

TOL = 1e-6


def _rng(seed=0):
    return np.random.default_rng(seed)


def _naive_conv(X, W, b, pad):
    """Direct loops over the definition of the cross-correlation."""
    N, C, H, Wd = X.shape
    F, _, k, _ = W.shape
    Xp = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    Ho, Wo = H + 2 * pad - k + 1, Wd + 2 * pad - k + 1
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, f, i, j] = b[f] + np.sum(W[f] * Xp[n, :, i:i + k, j:j + k])
    return out


def _check_pair(forward, backward, inputs, argnums, seed=1):
    """Gradient-check ``backward`` against central differences of ``sum(out * R)``."""
    out, cache = forward(*inputs)
    R = _rng(seed).standard_normal(out.shape)
    grads = backward(R, cache)
    grads = grads if isinstance(grads, tuple) else (grads,)
    worst = 0.0
    for g, a in zip(grads, argnums, strict=True):
        def f(x, a=a):
            args = list(inputs)
            args[a] = x
            return float(np.sum(forward(*args)[0] * R))
        worst = max(worst, relative_error(g, numerical_gradient(f, inputs[a])))
    return worst


CONV_CASES = [  # (X shape, W shape, pad), pad 0 .. beyond k - 1, odd sizes
    *[(shape, (4, shape[1], 3, 3), pad)
      for shape in [(2, 3, 7, 6), (1, 1, 5, 5), (3, 2, 6, 9)] for pad in [0, 1, 2, 3]],
    ((2, 2, 8, 8), (3, 2, 5, 5), 2),    # 5x5 "same" padding
    ((1, 2, 4, 5), (2, 2, 2, 2), 3),    # even kernel, pad larger than k - 1
    ((2, 1, 9, 7), (2, 1, 5, 5), 0),    # the CNN's first layer, odd sizes
]


@pytest.mark.parametrize(("xshape", "wshape", "pad"), CONV_CASES)
def test_conv_matches_naive_and_gradcheck(xshape, wshape, pad):
    rng = _rng(2)
    X, W, b = (rng.standard_normal(s) for s in (xshape, wshape, wshape[:1]))
    out, _ = conv.conv_forward(X, W, b, pad)
    np.testing.assert_allclose(out, _naive_conv(X, W, b, pad), rtol=1e-12, atol=1e-12)
    err = _check_pair(lambda X, W, b: conv.conv_forward(X, W, b, pad), conv.conv_backward,
                      [X, W, b], [0, 1, 2])
    assert err < TOL


def test_conv_without_input_gradient():
    rng = _rng(5)
    X, W, b = rng.standard_normal((2, 1, 6, 6)), rng.standard_normal((2, 1, 3, 3)), np.zeros(2)
    out, cache = conv.conv_forward(X, W, b)
    R = rng.standard_normal(out.shape)
    dX, dW, db = conv.conv_backward(R, cache, input_gradient=False)
    _, dW2, db2 = conv.conv_backward(R, cache)
    assert dX is None
    np.testing.assert_array_equal(dW, dW2)
    np.testing.assert_array_equal(db, db2)


def test_conv_keeps_float32_and_rejects_bad_shapes():
    X = np.ones((2, 3, 5, 5), dtype=np.float32)
    W = np.ones((4, 3, 3, 3), dtype=np.float32)
    out, cache = conv.conv_forward(X, W, np.zeros(4, np.float32), pad=1)
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in conv.conv_backward(np.ones_like(out), cache))
    with pytest.raises(ValueError, match="W must have shape"):
        conv.conv_forward(X, np.ones((4, 2, 3, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="b must have shape"):
        conv.conv_forward(X, W, np.zeros(3))
    with pytest.raises(ValueError, match="does not fit"):
        conv.conv_forward(X, np.ones((1, 3, 7, 7)), np.zeros(1))
    with pytest.raises(ValueError, match="4-D"):
        conv.conv_forward(X[0], W, np.zeros(4))


def _naive_pool(X):
    N, C, H, Wd = X.shape
    out = np.empty((N, C, H // 2, Wd // 2))
    for i in range(H // 2):
        for j in range(Wd // 2):
            out[:, :, i, j] = X[:, :, 2 * i:2 * i + 2, 2 * j:2 * j + 2].max(axis=(2, 3))
    return out


@pytest.mark.parametrize("shape", [(2, 3, 6, 8), (1, 2, 5, 7), (2, 1, 3, 2)])
def test_maxpool_matches_naive_and_gradcheck(shape):
    X = _rng(6).permutation(np.prod(shape)).reshape(shape) * 0.1  # distinct values
    out, _ = conv.maxpool_forward(X)
    np.testing.assert_array_equal(out, _naive_pool(X))
    assert _check_pair(conv.maxpool_forward, conv.maxpool_backward, [X], [0]) < TOL


def test_maxpool_odd_shape_gives_zero_gradient_to_dropped_edge():
    X = _rng(7).standard_normal((1, 1, 5, 5))
    out, cache = conv.maxpool_forward(X)
    dX = conv.maxpool_backward(np.ones_like(out), cache)
    assert dX.shape == X.shape
    assert np.all(dX[:, :, 4, :] == 0) and np.all(dX[:, :, :, 4] == 0)
    assert dX.sum() == out.size


def test_maxpool_ties_route_gradient_to_first_maximum_only():
    X = np.array([[[[1.0, 1.0, 0.0, 2.0],
                    [1.0, 0.0, 2.0, 2.0]]]])
    out, cache = conv.maxpool_forward(X)
    np.testing.assert_array_equal(out, [[[[1.0, 2.0]]]])
    dX = conv.maxpool_backward(np.array([[[[3.0, 5.0]]]]), cache)
    np.testing.assert_array_equal(dX, [[[[3.0, 0.0, 0.0, 5.0],
                                         [0.0, 0.0, 0.0, 0.0]]]])
    # all four equal (e.g. a window of zeros after ReLU): one entry gets it all
    out, cache = conv.maxpool_forward(np.zeros((1, 1, 2, 2)))
    dX = conv.maxpool_backward(np.ones((1, 1, 1, 1)), cache)
    np.testing.assert_array_equal(dX, [[[[1.0, 0.0], [0.0, 0.0]]]])


def test_relu_gradcheck():
    X = _rng(8).standard_normal((3, 2, 4, 5))
    X[np.abs(X) < 1e-3] = 0.5  # keep away from the kink
    out, _ = conv.relu_forward(X)
    np.testing.assert_array_equal(out, np.where(X > 0, X, 0))
    assert _check_pair(conv.relu_forward, conv.relu_backward, [X], [0]) < TOL


def test_flatten_round_trip_on_transposed_view():
    X = _rng(10).standard_normal((3, 2, 4, 5)).transpose(1, 0, 2, 3)  # (N=2, C=3, ...)
    out, cache = conv.flatten_forward(X)
    np.testing.assert_array_equal(out[1], X[1].ravel())
    np.testing.assert_array_equal(conv.flatten_backward(out, cache), X)
    # (numerical_gradient needs C order: it perturbs x through x.reshape(-1))
    Xc = np.ascontiguousarray(X)
    assert _check_pair(conv.flatten_forward, conv.flatten_backward, [Xc], [0]) < TOL


def test_no_function_modifies_its_inputs():
    rng = _rng(12)
    X = rng.standard_normal((2, 2, 6, 6))
    W, b = rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    originals = [A.copy() for A in (X, W, b)]

    out, c1 = conv.conv_forward(X, W, b, pad=1)
    r, c2 = conv.relu_forward(out)
    p, c3 = conv.maxpool_forward(r)
    f, c4 = conv.flatten_forward(p)
    saved = [A.copy() for A in (out, r, p, f)]
    df = rng.standard_normal(f.shape)
    df_saved = df.copy()
    dp = conv.flatten_backward(df, c4)
    dp_saved = dp.copy()
    dr = conv.maxpool_backward(dp, c3)
    dr_saved = dr.copy()
    dout = conv.relu_backward(dr, c2)
    dout_saved = dout.copy()
    conv.conv_backward(dout, c1)

    for A, A0 in zip((X, W, b), originals, strict=True):
        np.testing.assert_array_equal(A, A0)
    for A, A0 in zip((out, r, p, f), saved, strict=True):
        np.testing.assert_array_equal(A, A0)
    for A, A0 in ((df, df_saved), (dp, dp_saved), (dr, dr_saved), (dout, dout_saved)):
        np.testing.assert_array_equal(A, A0)


# -- the fast path: conv, max-pool and ReLU as one pair ------------------------

def _plain_block(X, W, b, pad):
    """The block composed of the plain pairs, and its backward."""
    c, c1 = conv.conv_forward(X, W, b, pad)
    p, c2 = conv.maxpool_forward(c)
    out, c3 = conv.relu_forward(p)

    def backward(dout, input_gradient=True):
        d = conv.maxpool_backward(conv.relu_backward(dout, c3), c2)
        return conv.conv_backward(d, c1, input_gradient=input_gradient)
    return out, backward


BLOCK_CASES = [  # (X shape, W shape, pad): odd sizes (a dropped row/column), pads, even k
    ((3, 2, 9, 8), (4, 2, 3, 3), 1),
    ((2, 1, 28, 28), (5, 1, 5, 5), 0),     # the CNN's first layer
    ((4, 3, 12, 12), (6, 3, 5, 5), 0),     # the CNN's second layer, fewer channels
    ((2, 3, 7, 9), (2, 3, 2, 2), 2),
    ((1, 2, 5, 6), (3, 2, 4, 4), 1),
    ((2, 1, 2, 3), (1, 1, 1, 1), 0),
]


@pytest.mark.parametrize(("xshape", "wshape", "pad"), BLOCK_CASES)
def test_conv_block_matches_plain_pairs(xshape, wshape, pad):
    rng = _rng(13)
    X, W, b = (rng.standard_normal(s) for s in (xshape, wshape, wshape[:1]))
    X[:, :, :3, :3] = 0  # windows of equal values: the tie rule must match too
    b[0] = 0.5
    expected, backward = _plain_block(X, W, b, pad)
    out, cache = conv_block.conv_block_forward(X, W, b, pad)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    for want, got in zip(backward(dout), conv_block.conv_block_backward(dout, cache), strict=True):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-11)
    dX, dW, db = conv_block.conv_block_backward(dout, cache, input_gradient=False)
    assert dX is None
    np.testing.assert_allclose(dW, backward(dout)[1], rtol=1e-11, atol=1e-11)


def _kink_free_inputs(xshape, wshape, pad, margin=1e-3):
    """Random X, W, b whose pooling windows and ReLUs are far from a kink.

    Central differences across a kink (two window members within eps of each
    other, or a maximum within eps of 0) measure no derivative; the first seed
    whose every window has a top-two gap and a |maximum| above ``margin`` is used.
    """
    for seed in range(100):
        rng = _rng(seed)
        X, W, b = (rng.standard_normal(s) for s in (xshape, wshape, wshape[:1]))
        c, _ = conv.conv_forward(X, W, b, pad)
        H2, W2 = c.shape[2] // 2, c.shape[3] // 2
        windows = c[:, :, :2 * H2, :2 * W2].reshape(*c.shape[:2], H2, 2, W2, 2)
        members = np.sort(windows.transpose(0, 1, 2, 4, 3, 5).reshape(-1, 4), axis=1)
        if (members[:, 3] - members[:, 2]).min() > margin and np.abs(members[:, 3]).min() > margin:
            return X, W, b
    raise AssertionError("no kink-free inputs found")


@pytest.mark.parametrize(("xshape", "wshape", "pad"), [
    ((2, 2, 5, 6), (3, 2, 3, 3), 1), ((2, 1, 9, 8), (2, 1, 5, 5), 0),
    ((1, 3, 8, 8), (3, 3, 5, 5), 0), ((2, 2, 3, 4), (2, 2, 2, 2), 1)])
def test_conv_block_gradcheck(xshape, wshape, pad):
    X, W, b = _kink_free_inputs(xshape, wshape, pad)
    err = _check_pair(lambda X, W, b: conv_block.conv_block_forward(X, W, b, pad),
                      conv_block.conv_block_backward, [X, W, b], [0, 1, 2])
    assert err < TOL


def test_conv_block_float32_with_workspace_matches_float64():
    """Reused buffers: a second batch, and a batch of another size, give the same as fresh ones."""
    rng = _rng(15)
    W, b = rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4)
    ws = {}
    for n in (3, 3, 5):
        X = rng.standard_normal((n, 2, 10, 9))
        out64, cache64 = conv_block.conv_block_forward(X, W, b, pad=1)
        out32, cache32 = conv_block.conv_block_forward(X.astype(np.float32), W.astype(np.float32),
                                                 b.astype(np.float32), pad=1, workspace=ws)
        assert out32.dtype == np.float32
        np.testing.assert_allclose(out32, out64, rtol=1e-5, atol=1e-5)
        dout = rng.standard_normal(out64.shape)
        grads64 = conv_block.conv_block_backward(dout, cache64)
        grads32 = conv_block.conv_block_backward(dout.astype(np.float32), cache32)
        for g32, g64 in zip(grads32, grads64, strict=True):
            assert g32.dtype == np.float32
            np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-4)
    assert ws["Xp"].shape == (12, 11, 2, 5)  # buffers of the last batch size


@pytest.mark.parametrize(("xshape", "wshape", "pad"), BLOCK_CASES)
def test_conv_block_for_inference_gives_the_same_output(xshape, wshape, pad):
    """Inference multiplies whole pooling windows: the same output, summed in another order."""
    rng = _rng(18)
    X, W, b = (rng.standard_normal(s) for s in (xshape, wshape, wshape[:1]))
    X[:, :, :3, :3] = 0  # windows of equal values
    expected, _ = _plain_block(X, W, b, pad)
    ws = {}
    for _ in range(2):  # the band buffers reused
        out, cache = conv_block.conv_block_forward(X, W, b, pad, workspace=ws, keep=False)
        assert cache is None and "cols" not in ws
        assert out.shape == expected.shape
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    X32 = X.astype(np.float32)
    out32, _ = conv_block.conv_block_forward(X32, W.astype(np.float32), b.astype(np.float32),
                                             pad, workspace={}, keep=False)
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32, expected, rtol=1e-5, atol=1e-5)


def test_conv_block_stacks_without_copies():
    """One block's output is the next block's input in its own memory layout."""
    rng = _rng(16)
    X = rng.standard_normal((3, 1, 16, 16))
    W1, b1 = rng.standard_normal((4, 1, 3, 3)), rng.standard_normal(4)
    W2, b2 = rng.standard_normal((5, 4, 3, 3)), rng.standard_normal(5)
    A1, _ = conv_block.conv_block_forward(X, W1, b1)
    assert A1.transpose(2, 3, 1, 0).flags.c_contiguous
    A2, _ = conv_block.conv_block_forward(A1, W2, b2)
    expected, _ = _plain_block(np.ascontiguousarray(A1), W2, b2, 0)
    np.testing.assert_allclose(A2, expected, rtol=1e-12, atol=1e-12)


def test_conv_block_without_workspace_is_pure():
    rng = _rng(17)
    X, W, b = rng.standard_normal((2, 2, 8, 8)), rng.standard_normal((3, 2, 3, 3)), np.ones(3)
    originals = [A.copy() for A in (X, W, b)]
    out, cache = conv_block.conv_block_forward(X, W, b, pad=1)
    out_saved = out.copy()
    dout = rng.standard_normal(out.shape)
    first = conv_block.conv_block_backward(dout, cache)
    saved = [g.copy() for g in first]
    second = conv_block.conv_block_backward(2 * dout, cache)
    for A, A0 in zip((X, W, b, out), originals + [out_saved], strict=True):
        np.testing.assert_array_equal(A, A0)
    for g, g0, g2 in zip(first, saved, second, strict=True):
        np.testing.assert_array_equal(g, g0)
        np.testing.assert_allclose(g2, 2 * g0, rtol=1e-12, atol=1e-12)


def test_conv_block_rejects_bad_input():
    X, W, b = np.ones((2, 3, 6, 6)), np.ones((4, 3, 3, 3)), np.zeros(4)
    with pytest.raises(ValueError, match="W must have shape"):
        conv_block.conv_block_forward(X, np.ones((4, 2, 3, 3)), b)
    with pytest.raises(ValueError, match="b must have shape"):
        conv_block.conv_block_forward(X, W, np.zeros(3))
    with pytest.raises(ValueError, match="less than 2x2"):
        conv_block.conv_block_forward(X, np.ones((4, 3, 6, 6)), b)
    with pytest.raises(ValueError, match="pad must be"):
        conv_block.conv_block_forward(X, W, b, pad=-1)
    out, cache = conv_block.conv_block_forward(X, W, b)
    with pytest.raises(ValueError, match="dout must have shape"):
        conv_block.conv_block_backward(np.ones((2, 4, 3, 3)), cache)
