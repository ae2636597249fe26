"""Activations: values, derivatives against central differences, stability."""

import warnings

import numpy as np
import pytest

import annteach as at

NAMES = sorted(at.ACTIVATIONS)


def test_registry_holds_the_four_lecture_activations():
    assert set(NAMES) == {"identity", "tanh", "logistic", "relu"}
    for g, g_derivative in at.ACTIVATIONS.values():
        assert callable(g) and callable(g_derivative)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_in_terms_of_output_matches_central_differences(name):
    g, g_derivative = at.ACTIVATIONS[name]
    # avoid a = 0 where relu has a kink
    a = np.random.default_rng(0).uniform(-3, 3, size=200)
    a = a[np.abs(a) > 1e-3]
    numeric = np.array([at.numerical_gradient(lambda x: g(x).sum(), ai) for ai in a])
    analytic = g_derivative(g(a))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_return_new_arrays_and_keep_dtype(name, dtype):
    g, g_derivative = at.ACTIVATIONS[name]
    a = np.linspace(-2, 2, 9, dtype=dtype)
    before = a.copy()
    y = g(a)
    d = g_derivative(y)
    assert y.dtype == dtype and d.dtype == dtype
    assert y.shape == a.shape == d.shape
    assert not np.shares_memory(y, a) and not np.shares_memory(d, y)
    np.testing.assert_array_equal(a, before)


def test_formulas():
    a = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(at.identity(a), a)
    np.testing.assert_allclose(at.tanh(a), np.tanh(a))
    np.testing.assert_allclose(at.logistic(a), 1 / (1 + np.exp(-a)))
    np.testing.assert_allclose(at.relu(a), [0, 0, 0, 0.5, 2])
    y = np.array([-0.5, 0.0, 0.25, 0.9])
    np.testing.assert_allclose(at.identity_derivative(y), 1)
    np.testing.assert_allclose(at.tanh_derivative(y), 1 - y**2)
    np.testing.assert_allclose(at.logistic_derivative(y), y * (1 - y))
    np.testing.assert_allclose(at.relu_derivative(y), [0, 0, 1, 1])


def test_relu_derivative_is_zero_at_zero():
    assert at.relu_derivative(at.relu(np.array([0.0])))[0] == 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logistic_is_stable_for_large_inputs(dtype):
    a = np.array([-1e4, -800, -50, 0, 50, 800, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = at.logistic(a)
    assert y.dtype == dtype
    assert np.all(np.isfinite(y))
    assert y[0] == 0 and y[-1] == 1 and y[3] == 0.5
    assert np.all(np.diff(y) >= 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_rows_sum_to_one_and_are_stable(dtype):
    a = np.array([[1e4, 0, -1e4], [1, 2, 3], [0, 0, 0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = at.softmax(a)
    assert y.dtype == dtype
    np.testing.assert_allclose(y.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(y[0], [1, 0, 0])
    e = np.exp([1.0, 2, 3])
    np.testing.assert_allclose(y[1], e / e.sum(), rtol=1e-6)
    np.testing.assert_allclose(y[2], 1 / 3, rtol=1e-6)


def test_softmax_is_shift_invariant():
    a = np.random.default_rng(1).standard_normal((5, 4))
    np.testing.assert_allclose(at.softmax(a), at.softmax(a + 100.0))
