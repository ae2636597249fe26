"""Tests for annteach.surfaces: error grids, per-sample errors, gradient-descent paths."""

import numpy as np
import pytest

import annteach as at
from annteach.activations import logistic


def _hand_gradient(w1=0.1, w2=0.2, b1=0.1, w3=-0.2, w4=0.2, b2=-0.1, w5=-0.3, w6=-0.25, b3=0.2):
    """dE/dw for all weights of the 2-2-1 net by the chain rule, written out by hand."""
    X, T = at.xor_dataset()
    g = {k: 0.0 for k in at.XOR_WEIGHTS}
    for (x1, x2), t in zip(X, T, strict=True):
        h1 = logistic(b2 + w3 * x1 + w4 * x2)
        h2 = logistic(b3 + w5 * x1 + w6 * x2)
        y = logistic(b1 + w1 * h1 + w2 * h2)
        d = 2 * (y - t) * y * (1 - y)          # dE/d(output pre-activation)
        d1 = d * w1 * h1 * (1 - h1)            # dE/d(h1 pre-activation)
        d2 = d * w2 * h2 * (1 - h2)
        for k, v in {"w1": d * h1, "w2": d * h2, "b1": d, "w3": d1 * x1, "w4": d1 * x2,
                     "b2": d1, "w5": d2 * x1, "w6": d2 * x2, "b3": d2}.items():
            g[k] += v
    return g


def test_error_grid_is_the_lecture_grid():
    assert np.array_equal(at.ERROR_GRID, np.arange(-10, 10.25, 0.25))
    assert at.ERROR_GRID[0] == -10 and at.ERROR_GRID[-1] == 10


def test_error_grid_matches_pointwise_error():
    values = np.array([-10.0, -1.5, 0.0, 3.25])
    A, B, E = at.error_grid("w5", "w6", values)
    assert A.shape == B.shape == E.shape == (4, 4)
    for i in range(4):
        for j in range(4):
            assert A[i, j] == values[j] and B[i, j] == values[i]
            assert E[i, j] == pytest.approx(float(at.xor_error(w5=values[j], w6=values[i])))


def test_error_grid_default_and_fixed_weights():
    A, B, E = at.error_grid("b1", "b2", b3=1.0)
    assert E.shape == (81, 81)
    assert E[40, 40] == pytest.approx(float(at.xor_error(b1=0.0, b2=0.0, b3=1.0)))


@pytest.mark.parametrize("a, b, fixed", [("w7", "w6", {}), ("w5", "w5", {}),
                                          ("w5", "w6", {"w6": 1.0}), ("w5", "w6", {"q": 1})])
def test_error_grid_rejects_bad_names(a, b, fixed):
    with pytest.raises(ValueError):
        at.error_grid(a, b, [0.0, 1.0], **fixed)


def test_error_grid_rejects_bad_values():
    with pytest.raises(ValueError, match="1-D"):
        at.error_grid("w5", "w6", [[0.0, 1.0]])


def test_sample_errors_sum_to_xor_error_and_broadcast():
    w = np.linspace(-10, 10, 7)
    errors = at.xor_sample_errors(w5=w, w6=w + 2)
    assert errors.shape == (4, 7)
    assert np.allclose(errors.sum(axis=0), at.xor_error(w5=w, w6=w + 2))
    # Sample (0, 0) does not see w5, w6 (they multiply zero inputs).
    X, _ = at.xor_dataset()
    k = int(np.flatnonzero((X == 0).all(axis=1))[0])
    assert np.allclose(errors[k], errors[k, 0])
    assert np.all(errors >= 0)


def test_sample_errors_rejects_unknown_weight():
    with pytest.raises(ValueError, match="unknown"):
        at.xor_sample_errors(w9=1.0)


@pytest.mark.parametrize("a, b", [("w1", "w2"), ("w5", "w6"), ("b1", "w4")])
def test_gradient_matches_chain_rule(a, b):
    point = np.array([0.7, -1.3])
    grad = at.xor_error_gradient(a, b, point)
    hand = _hand_gradient(**{a: point[0], b: point[1]})
    assert grad.shape == (2,)
    assert np.allclose(grad, [hand[a], hand[b]], rtol=1e-6, atol=1e-10)


def test_gradient_leaves_point_untouched_and_checks_shape():
    point = np.array([1.0, 2.0])
    at.xor_error_gradient("w5", "w6", point)
    assert np.array_equal(point, [1.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        at.xor_error_gradient("w5", "w6", [1.0, 2.0, 3.0])


def test_descent_path_first_step_and_decrease():
    start = np.array([-2.0, -1.0])
    path, E = at.gradient_descent_path("w5", "w6", start, learning_rate=5.0, steps=50)
    assert path.shape == (51, 2) and E.shape == (51,)
    assert np.array_equal(path[0], start)
    step = path[0] - 5.0 * at.xor_error_gradient("w5", "w6", start)
    assert np.allclose(path[1], step)
    assert np.allclose(E, at.xor_error(w5=path[:, 0], w6=path[:, 1]))
    assert np.all(np.diff(E) <= 1e-12)            # small steps never go uphill
    assert E[-1] < E[0]


def test_descent_path_respects_fixed_weights():
    # With w2 = 0 the output ignores h2, so w5 and w6 get zero gradient and never move.
    path, E = at.gradient_descent_path("w5", "w6", (3.0, -4.0), learning_rate=10.0, steps=5,
                                       w2=0.0)
    assert np.allclose(path, [3.0, -4.0], atol=1e-8)
    assert np.allclose(E, E[0])


@pytest.mark.parametrize("kw", [{"learning_rate": 0.0}, {"steps": -1}, {"steps": 2.5}])
def test_descent_path_rejects_bad_settings(kw):
    with pytest.raises(ValueError):
        at.gradient_descent_path("w5", "w6", (0.0, 0.0), **kw)


def test_zero_steps_gives_start_only():
    path, E = at.gradient_descent_path("w5", "w6", (1.0, 2.0), steps=0)
    assert path.tolist() == [[1.0, 2.0]]
    assert E[0] == pytest.approx(float(at.xor_error(w5=1.0, w6=2.0)))
