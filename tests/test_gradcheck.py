"""The project's one gradient checker."""

import numpy as np
import pytest

import annteach as at


def test_numerical_gradient_of_a_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = at.numerical_gradient(lambda v: np.sum(v**3), x)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8)


def test_numerical_gradient_leaves_input_untouched():
    x = np.array([1.0, 2.0, 3.0])
    at.numerical_gradient(lambda v: float(v @ v), x)
    np.testing.assert_array_equal(x, [1, 2, 3])


def test_numerical_gradient_rejects_bad_eps():
    with pytest.raises(ValueError, match="eps"):
        at.numerical_gradient(np.sum, np.zeros(2), eps=0)


def test_relative_error():
    assert at.relative_error([1.0, 2.0], [1.0, 2.0]) == 0
    assert at.relative_error([1.0, 0.0], [1.1, 0.0]) == pytest.approx(0.1 / 1.1)
    with pytest.raises(ValueError, match="shape"):
        at.relative_error(np.zeros(2), np.zeros(3))


def test_check_gradient_on_2_5_3_tanh_network_is_below_1e_7():
    rng = np.random.default_rng(0)
    X, T = rng.standard_normal((8, 2)), rng.standard_normal((8, 3))
    model = at.MLP([2, 5, 3], hidden="tanh", output="identity", seed=0)
    assert at.check_gradient(model, X, T) < 1e-7


def test_check_gradient_detects_a_wrong_gradient():
    rng = np.random.default_rng(0)
    X, T = rng.standard_normal((8, 2)), rng.standard_normal((8, 3))
    model = at.MLP([2, 5, 3], hidden="tanh", output="identity", seed=0)

    class Broken:
        params = model.params

        def loss(self, X, T, params=None):
            return model.loss(X, T, params)

        def gradients(self, X, T):
            E, grads = model.gradients(X, T)
            return E, [2 * g for g in grads]  # e.g. a forgotten factor 1/2

    assert at.check_gradient(Broken(), X, T) > 0.3


def test_numerical_gradient_of_a_non_contiguous_input():
    x = np.arange(6.0).reshape(2, 3).T  # Fortran-ordered view
    weights = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    grad = at.numerical_gradient(lambda v: np.sum(weights * v), x)
    np.testing.assert_allclose(grad, weights, rtol=1e-9)
