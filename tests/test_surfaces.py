"""Tests for annteach.surfaces: error grids, per-sample errors, gradient-descent paths."""

import numpy as np
import pytest
import xor_by_hand

import annteach as at


def _hand_gradient(**weights):
    """dE/dw of E = sum_n (y_n - t_n)**2 (no 1/2): twice the by-hand gradient of 1/2 sum."""
    return {k: 2 * v for k, v in xor_by_hand.gradient(**weights).items()}


def test_error_grid_is_the_lecture_grid():
    assert np.array_equal(at.ERROR_GRID, np.arange(-10, 10, 0.25))
    assert at.ERROR_GRID.size == 80
    assert at.ERROR_GRID[0] == -10 and at.ERROR_GRID[-1] == 9.75
    assert not at.ERROR_GRID.flags.writeable


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
    assert E.shape == (80, 80)
    assert A[0, 40] == 0.0 and B[40, 0] == 0.0
    assert E[40, 40] == pytest.approx(float(at.xor_error(b1=0.0, b2=0.0, b3=1.0)))
    assert E[79, 0] == pytest.approx(float(at.xor_error(b1=-10.0, b2=9.75, b3=1.0)))


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


def test_descent_paths_batch_follows_the_single_path():
    starts = [(-2.0, -1.0), (2.0, 1.0), (0.5, -3.0)]
    paths, E = at.descent_paths("w5", "w6", starts, learning_rate=30.0, epochs=20)
    assert paths.shape == (3, 21, 2) and E.shape == (3, 21)
    for r, start in enumerate(starts):
        path, E_path = at.gradient_descent_path("w5", "w6", start, learning_rate=30.0, steps=20)
        # the same central differences, computed on arrays instead of scalars
        np.testing.assert_allclose(paths[r], path, rtol=0, atol=1e-9)
        np.testing.assert_allclose(E[r], E_path, rtol=1e-12)


def test_descent_paths_stochastic_epoch_is_four_sample_steps():
    start = np.array([1.5, -0.5])
    paths, E = at.descent_paths("w3", "w6", [start, start], learning_rate=5.0, epochs=2,
                                stochastic=True, seed=7, b1=0.3)
    rng = np.random.default_rng(7)
    X, T = at.xor_dataset()
    for e in range(2):
        orders = rng.permuted(np.tile(np.arange(4), (2, 1)), axis=1)
        for r in range(2):
            p = paths[r, e].copy()
            for n in orders[r]:
                # dE_n/dw of E_n = (y_n - t_n)**2 alone: twice the by-hand 1/2-version
                one = xor_by_hand.one_sample(X[n, 0], X[n, 1], T[n], w3=p[0], w6=p[1], b1=0.3)
                p = p - 5.0 * 2 * np.array([one["w3"], one["w6"]])
            np.testing.assert_allclose(paths[r, e + 1], p, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(E, at.xor_error(w3=paths[..., 0], w6=paths[..., 1], b1=0.3))


def test_descent_paths_orders_differ_between_runs_and_seeds():
    starts = [(-2.0, -1.0)] * 3
    p0, _ = at.descent_paths("w5", "w6", starts, learning_rate=300.0, epochs=5,
                             stochastic=True, seed=0)
    p1, _ = at.descent_paths("w5", "w6", starts, learning_rate=300.0, epochs=5,
                             stochastic=True, seed=1)
    again, _ = at.descent_paths("w5", "w6", starts, learning_rate=300.0, epochs=5,
                                stochastic=True, seed=0)
    assert np.array_equal(p0, again)
    assert not np.array_equal(p0, p1)
    assert not (np.array_equal(p0[0], p0[1]) and np.array_equal(p0[1], p0[2]))


@pytest.mark.parametrize("kw, match", [({"starts": [1.0, 2.0, 3.0]}, "shape"),
                                       ({"learning_rate": -1.0}, "learning_rate"),
                                       ({"epochs": 1.5}, "epochs"),
                                       ({"w5": 1.0}, "both varied and fixed")])
def test_descent_paths_rejects_bad_settings(kw, match):
    args = {"starts": [(0.0, 0.0)], **kw}
    with pytest.raises(ValueError, match=match):
        at.descent_paths("w5", "w6", **args)
