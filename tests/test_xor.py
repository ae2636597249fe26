"""The XOR data set and the lecture's 2-2-1 network."""

import math

import numpy as np
import pytest

import annteach as at


def _sigma(z):
    return 1 / (1 + math.exp(-z))


def _by_hand(x1, x2, w1=0.1, w2=0.2, b1=0.1, w3=-0.2, w4=0.2, b2=-0.1,
             w5=-0.3, w6=-0.25, b3=0.2):
    h1 = _sigma(b2 + w3 * x1 + w4 * x2)
    h2 = _sigma(b3 + w5 * x1 + w6 * x2)
    return _sigma(b1 + w1 * h1 + w2 * h2)


def test_dataset_in_lecture_order():
    X, Y = at.xor_dataset()
    np.testing.assert_array_equal(X, [[0, 1], [1, 0], [0, 0], [1, 1]])
    np.testing.assert_array_equal(Y, [1, 1, 0, 0])
    np.testing.assert_array_equal(Y, np.logical_xor(X[:, 0], X[:, 1]))


def test_default_weights_match_signature():
    import inspect

    defaults = {k: p.default for k, p in inspect.signature(at.xor_net).parameters.items()
                if p.default is not inspect.Parameter.empty}
    assert defaults == at.XOR_WEIGHTS


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
    X, Y = at.xor_dataset()
    w = {"w1": 2.0, "b3": -1.0}
    expected = sum((_by_hand(x1, x2, **w) - y) ** 2 for (x1, x2), y in zip(X, Y))
    assert float(at.xor_error(**w)) == pytest.approx(expected, rel=1e-12)


def test_xor_error_surface_grid():
    w = np.arange(-10, 10.25, 0.25)
    W5, W6 = np.meshgrid(w, w)
    E = at.xor_error(w5=W5, w6=W6)
    assert E.shape == (81, 81)
    assert float(E[40, 40]) == pytest.approx(float(at.xor_error(w5=0.0, w6=0.0)))
    assert np.all((E >= 0) & (E <= 4))


def test_xor_error_rejects_unknown_weight():
    with pytest.raises(ValueError, match="w7"):
        at.xor_error(w7=1.0)
