"""The XOR data set and the lecture's 2-2-1 network."""

import numpy as np
import pytest
import xor_by_hand

import annteach as at


def _by_hand(x1, x2, **weights):
    return xor_by_hand.one_sample(x1, x2, 0.0, **weights)["y"]


def test_dataset_in_lecture_order():
    X, T = at.xor_dataset()
    np.testing.assert_array_equal(X, [[0, 1], [1, 0], [0, 0], [1, 1]])
    np.testing.assert_array_equal(T, [1, 1, 0, 0])
    np.testing.assert_array_equal(T, np.logical_xor(X[:, 0], X[:, 1]))
    assert [((x1, x2), t) for (x1, x2), t in zip(X.tolist(), T.tolist())] == \
        xor_by_hand.SAMPLES


def test_default_weights_match_signature():
    import inspect

    defaults = {k: p.default for k, p in inspect.signature(at.xor_net).parameters.items()
                if p.default is not inspect.Parameter.empty}
    assert defaults == at.XOR_WEIGHTS == xor_by_hand.DEFAULTS


def test_xor_net_default_weights_by_hand():
    X, _ = at.xor_dataset()
    got = at.xor_net(X[:, 0], X[:, 1])
    expected = [_by_hand(x1, x2) for x1, x2 in X]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    # the four outputs the lecture prints, to 4 decimals
    np.testing.assert_allclose(got, [0.5622, 0.5591, 0.5640, 0.5573], atol=5e-5)


def test_xor_net_broadcasts_over_weight_grids():
    w5, w6 = np.meshgrid(np.arange(-2, 2.5, 0.5), np.arange(-1, 1.5, 0.5))
    out = at.xor_net(1.0, 0.0, w5=w5, w6=w6)
    assert out.shape == w5.shape
    i, j = 3, 5
    assert out[i, j] == pytest.approx(_by_hand(1.0, 0.0, w5=w5[i, j], w6=w6[i, j]))


def test_xor_error_is_sum_of_squares_without_half():
    X, T = at.xor_dataset()
    w = {"w1": 2.0, "b3": -1.0}
    expected = sum((_by_hand(x1, x2, **w) - t) ** 2 for (x1, x2), t in zip(X, T))
    assert float(at.xor_error(**w)) == pytest.approx(expected, rel=1e-12)


def test_xor_error_surface_grid():
    w = np.arange(-10, 10, 0.25)                  # the lecture's grid: 80 values
    W5, W6 = np.meshgrid(w, w)
    E = at.xor_error(w5=W5, w6=W6)
    assert E.shape == (80, 80)
    assert float(E[40, 40]) == pytest.approx(float(at.xor_error(w5=0.0, w6=0.0)))
    assert np.all((E >= 0) & (E <= 4))


def test_xor_error_rejects_unknown_weight():
    with pytest.raises(ValueError, match="w7"):
        at.xor_error(w7=1.0)


def test_weight_positions_cover_both_matrices_once():
    cells = sorted(at.XOR_WEIGHT_POSITIONS.values())
    assert cells == [(0, r, c) for r in range(2) for c in range(3)] + [(1, 0, c) for c in range(3)]
    assert set(at.XOR_WEIGHT_POSITIONS) == set(at.XOR_WEIGHTS)


def test_weight_matrices_compute_xor_net_in_matrix_form():
    rng = np.random.default_rng(4)
    weights = dict(zip(at.XOR_WEIGHTS, rng.normal(size=9) * 2))
    W1, W2 = at.xor_weight_matrices(weights)
    assert W1.shape == (2, 3) and W2.shape == (1, 3)
    X, _ = at.xor_dataset()
    Y = at.fprop(W2, at.add_bias(at.fprop(W1, at.add_bias(X), at.logistic)), at.logistic)
    np.testing.assert_allclose(Y[:, 0], at.xor_net(X[:, 0], X[:, 1], **weights), rtol=1e-14)
    np.testing.assert_allclose(Y[:, 0], [_by_hand(x1, x2, **weights) for x1, x2 in X],
                               rtol=1e-13)


def test_weight_matrices_of_the_defaults_and_back():
    W1, W2 = at.xor_weight_matrices()
    np.testing.assert_array_equal(W1, [[-0.2, 0.2, -0.1], [-0.3, -0.25, 0.2]])
    np.testing.assert_array_equal(W2, [[0.1, 0.2, 0.1]])
    assert at.xor_weights_from_matrices(W1, W2) == at.XOR_WEIGHTS
    assert list(at.xor_weights_from_matrices(W1, W2)) == list(at.XOR_WEIGHTS)
    W1, W2 = at.xor_weight_matrices({"w6": 3.0})
    assert W1[1, 1] == 3.0 and at.xor_weights_from_matrices(W1, W2)["w6"] == 3.0


def test_weight_matrices_reject_bad_input():
    with pytest.raises(ValueError, match="w7"):
        at.xor_weight_matrices({"w7": 1.0})
    with pytest.raises(ValueError, match="W1 must have shape"):
        at.xor_weights_from_matrices(np.zeros((3, 2)), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="W2 must have shape"):
        at.xor_weights_from_matrices(np.zeros((2, 3)), np.zeros(3))
