"""Tests for annteach.landscape: grid minima, the minimum along a line, batch vs stochastic."""

import numpy as np
import pytest

import annteach as at


def test_grid_minima_of_a_known_function():
    x = np.linspace(-3, 3, 61)
    X1, X2 = np.meshgrid(x, x)
    # two bowls, minima at (-1.5, 0) and (1.5, 1)
    E = np.minimum((X1 + 1.5) ** 2 + X2 ** 2, (X1 - 1.5) ** 2 + (X2 - 1) ** 2 + 0.2)
    found = at.grid_local_minima(E)
    assert found.shape == (2, 2)
    points = sorted((X1[i, j], X2[i, j]) for i, j in found)
    np.testing.assert_allclose(points, [(-1.5, 0), (1.5, 1)], atol=1e-12)
    assert found.dtype.kind == "i"


def test_grid_minima_are_strict_and_interior():
    assert at.grid_local_minima(np.ones((5, 5))).shape == (0, 2)         # flat: none is strict
    E = np.arange(25.0).reshape(5, 5)                                    # minimum in a corner
    assert at.grid_local_minima(E).shape == (0, 2)
    E = np.full((5, 5), 2.0)
    E[2, 2] = 1.0
    E[1, 1] = 1.0                                                        # a diagonal neighbour ties
    assert at.grid_local_minima(E).shape == (0, 2)
    E[1, 1] = 1.5
    assert at.grid_local_minima(E).tolist() == [[2, 2]]
    E[2, 2] = np.nan                                # NaN is no minimum, nor is its neighbour
    assert at.grid_local_minima(E).shape == (0, 2)


def test_grid_minima_in_one_dimension():
    assert at.grid_local_minima([3.0, 1.0, 2.0, 0.5, 4.0]).tolist() == [[1], [3]]
    with pytest.raises(ValueError, match="at least 3"):
        at.grid_local_minima([1.0, 2.0])
    with pytest.raises(ValueError, match="at least 3"):
        at.grid_local_minima(np.zeros((2, 5)))


def test_the_slice_has_a_dip_the_surface_has_no_minimum():
    w = at.ERROR_GRID
    E_line = at.xor_sample_errors(w5=w, w6=w + 2).sum(axis=0)
    dips = at.grid_local_minima(E_line)
    assert dips.ravel().tolist() == [33] and w[33] == -1.75
    _, _, E = at.error_grid("w5", "w6", np.linspace(-10, 10, 401))    # step 0.05
    assert at.grid_local_minima(E).shape == (0, 2)
    # the same search does find a dent made in that surface
    dented = E.copy()
    dented[200, 100] -= 1e-3
    assert at.grid_local_minima(dented).tolist() == [[200, 100]]


def test_line_minimum_is_a_minimum_along_the_line_only():
    w = at.ERROR_GRID
    point, E, grad = at.line_minimum("w5", "w6", 2.0, (w[32], w[34]))
    assert point[1] == pytest.approx(point[0] + 2)
    assert -1.85 < point[0] < -1.8
    assert E == pytest.approx(float(at.xor_error(w5=point[0], w6=point[1])))
    # along the line the slope vanishes; across it it does not
    assert abs(grad[0] + grad[1]) < 1e-8
    assert abs(grad[0]) > 1e-3
    for s in (-0.05, 0.05):
        assert float(at.xor_error(w5=point[0] + s, w6=point[1] + s)) > E
    # a step against the gradient lowers E: the point is no minimum of the plane
    step = point - 10.0 * grad
    assert float(at.xor_error(w5=step[0], w6=step[1])) < E


def test_line_minimum_other_weights_and_bad_brackets():
    point, E, grad = at.line_minimum("w1", "b1", -0.5, (-3.0, 3.0), w2=1.0)
    assert point[1] == pytest.approx(point[0] - 0.5)
    assert abs(grad.sum()) < 1e-8
    with pytest.raises(ValueError, match="does not enclose"):
        at.line_minimum("w5", "w6", 2.0, (0.0, 1.0))
    with pytest.raises(ValueError, match="low < high"):
        at.line_minimum("w5", "w6", 2.0, (-1.5, -2.0))
    with pytest.raises(ValueError, match="unknown"):
        at.line_minimum("w5", "w9")


def test_first_epoch_below():
    values = np.array([[3.0, 2.0, 0.5, 0.1], [3.0, 3.0, 3.0, 3.0]])
    assert at.first_epoch_below(values, 1.0).tolist() == [2, -1]
    assert at.first_epoch_below(values, [[2.5], [3.5]]).tolist() == [1, 0]
    assert at.first_epoch_below([[True, True, False]], 0.5).tolist() == [2]
    with pytest.raises(ValueError, match="axis"):
        at.first_epoch_below(1.0, 0.5)


def test_descent_comparison_counts_what_the_paths_show():
    starts = [(-1.83, 0.17), (-8.0, -8.0)]
    r = at.descent_comparison(starts, learning_rate=30.0, epochs=40, runs=3, seed=2)
    assert r["batch_paths"].shape == (2, 41, 2) and r["stochastic_paths"].shape == (2, 3, 41, 2)
    assert r["batch_E"].shape == (2, 41) and r["stochastic_E"].shape == (2, 3, 41)
    paths, E = at.descent_paths("w5", "w6", starts, learning_rate=30.0, epochs=40)
    assert np.array_equal(r["batch_paths"], paths) and np.array_equal(r["batch_E"], E)
    for name in ("batch", "stochastic"):
        E, epochs = r[f"{name}_E"], r[f"{name}_epochs"]
        assert epochs.shape == E.shape[:-1]
        for idx in np.ndindex(epochs.shape):
            k = epochs[idx]
            left = E[idx] <= E[idx][0] - 0.005
            if k < 0:
                assert not left.any()
            else:
                assert left[k] and not left[:k].any()
    # from the dip both leave; from the flat corner neither does within 40 epochs
    assert r["batch_epochs"][0] > 0 and np.all(r["stochastic_epochs"][0] > 0)
    assert r["batch_epochs"][1] == -1 and np.all(r["stochastic_epochs"][1] == -1)
    with pytest.raises(ValueError, match="runs"):
        at.descent_comparison(starts, runs=0)
