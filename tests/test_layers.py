"""The lecture's layer API: add_bias/remove_bias, fprop and backprop."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import annteach as at

NAMES = sorted(at.ACTIVATIONS)


def test_add_and_remove_bias():
    X = np.arange(6.0).reshape(3, 2)
    Xb = at.add_bias(X)
    np.testing.assert_array_equal(Xb, [[0, 1, 1], [2, 3, 1], [4, 5, 1]])
    np.testing.assert_array_equal(at.remove_bias(Xb), X)
    assert not np.shares_memory(at.remove_bias(Xb), Xb)
    np.testing.assert_array_equal(X, np.arange(6.0).reshape(3, 2))


def test_fprop_by_hand():
    W = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 1.0]])  # 2 units, 2 inputs + bias
    X = at.add_bias(np.array([[1.0, 1.0], [0.0, 2.0]]))
    Y = at.fprop(W, X, at.identity)
    np.testing.assert_allclose(Y, [[3.5, 0.0], [4.5, 1.0]])


@settings(max_examples=30, deadline=None, derandomize=True)
@given(n=st.integers(1, 5), n_in=st.integers(1, 4), n_out=st.integers(1, 4),
       name=st.sampled_from(NAMES), seed=st.integers(0, 2**16))
def test_backprop_matches_finite_differences(n, n_in, n_out, name, seed):
    g, g_derivative = at.ACTIVATIONS[name]
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n_out, n_in + 1))
    X = at.add_bias(rng.standard_normal((n, n_in)))
    R = rng.standard_normal((n, n_out))  # E = sum(R * Y), so dE/dY = R

    def E_of_W(W_):
        return np.sum(R * at.fprop(W_, X, g))

    def E_of_X(X_):
        return np.sum(R * at.fprop(W, X_, g))

    Y = at.fprop(W, X, g)
    if name == "relu":  # keep away from the kink, where differences are meaningless
        A = X @ W.T
        if np.min(np.abs(A)) < 1e-3:
            return
    W0, X0 = W.copy(), X.copy()
    dEdX, dEdW = at.backprop(W, X, g_derivative, Y, R)
    np.testing.assert_array_equal(W, W0)
    np.testing.assert_array_equal(X, X0)
    assert dEdW.shape == W.shape and dEdX.shape == X.shape
    # Central differences with eps = 1e-5 are accurate to about 1e-10 in absolute
    # terms, so entries near zero are compared absolutely, the rest relatively.
    np.testing.assert_allclose(dEdW, at.numerical_gradient(E_of_W, W), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dEdX, at.numerical_gradient(E_of_X, X), rtol=1e-6, atol=1e-8)


def test_backprop_sums_weight_gradient_over_samples():
    rng = np.random.default_rng(3)
    W = rng.standard_normal((2, 4))
    X = at.add_bias(rng.standard_normal((5, 3)))
    Y = at.fprop(W, X, at.tanh)
    dEdY = rng.standard_normal(Y.shape)
    _, dEdW = at.backprop(W, X, at.tanh_derivative, Y, dEdY)
    per_sample = [at.backprop(W, X[n:n + 1], at.tanh_derivative, Y[n:n + 1], dEdY[n:n + 1])[1]
                  for n in range(5)]
    np.testing.assert_allclose(dEdW, np.sum(per_sample, axis=0))


def test_fprop_shape_mismatch_names_both_shapes():
    W = np.zeros((3, 5))
    X = np.zeros((7, 4))
    with pytest.raises(ValueError, match=r"\(3, 5\).*\(7, 4\)"):
        at.fprop(W, X, at.identity)


def test_backprop_shape_mismatch_names_shapes():
    W, X = np.zeros((3, 5)), np.zeros((7, 5))
    with pytest.raises(ValueError, match=r"dEdY has shape \(7, 2\)"):
        at.backprop(W, X, at.identity_derivative, np.zeros((7, 3)), np.zeros((7, 2)))
    with pytest.raises(ValueError, match=r"\(3, 5\).*\(7, 4\)"):
        at.backprop(W, np.zeros((7, 4)), at.identity_derivative, np.zeros((7, 3)),
                    np.zeros((7, 3)))


def test_layers_reject_non_2d_input():
    with pytest.raises(ValueError, match="2-D"):
        at.add_bias(np.zeros(3))
    with pytest.raises(ValueError, match="2-D"):
        at.fprop(np.zeros((2, 3)), np.zeros(3), at.identity)
