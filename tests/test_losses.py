"""The losses: means over the samples, their gradients, and one-hot targets."""

import numpy as np
import pytest

import annteach as at
from annteach.gradcheck import numerical_gradient, relative_error
from annteach.losses import LOSSES, OUTPUTS_FOR_LOSS


def _softmax_cross_entropy(scores, T):
    return at.cross_entropy(at.softmax(scores), T)


@pytest.mark.parametrize("n", [1, 5])
def test_cross_entropy_is_the_mean_over_samples(n):
    rng = np.random.default_rng(n)
    scores = rng.standard_normal((n, 4)) * 3
    labels = rng.integers(0, 4, n)
    Y = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(Y[np.arange(n), labels]))
    assert _softmax_cross_entropy(scores, at.one_hot(labels, 4)) == pytest.approx(expected,
                                                                                 rel=1e-12)


def test_softmax_cross_entropy_gradient_is_y_minus_t_over_n():
    rng = np.random.default_rng(11)
    scores = rng.standard_normal((5, 4)) * 3
    T = at.one_hot(np.array([0, 3, 1, 1, 2]), 4)
    numeric = numerical_gradient(lambda s: _softmax_cross_entropy(s, T), scores)
    assert relative_error((at.softmax(scores) - T) / 5, numeric) < 1e-6


def test_two_class_cross_entropy_of_one_logistic_output():
    Y, T = np.array([[0.9], [0.2]]), np.array([[1.0], [0.0]])
    expected = -(np.log(0.9) + np.log(0.8)) / 2
    assert at.cross_entropy(Y, T) == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_of_a_certain_wrong_answer_is_finite():
    E = at.cross_entropy(at.softmax(np.array([[1000.0, 0.0]])), np.array([[0.0, 1.0]]))
    assert np.isfinite(E) and E == pytest.approx(-np.log(1e-12))
    assert at.cross_entropy(at.softmax(np.array([[1000.0, 0.0]])), np.array([[1.0, 0.0]])) == 0


def test_sum_squared_error_is_half_the_mean_squared_row_norm():
    Y, T = np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [0.0, 3.0]])
    assert at.sum_squared_error(Y, T) == pytest.approx(0.5 * (1 + 4 + 9) / 2)
    numeric = numerical_gradient(lambda y: at.sum_squared_error(y, T), Y)
    assert relative_error((Y - T) / 2, numeric) < 1e-6


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_losses_check_their_arguments(loss):
    with pytest.raises(ValueError, match="same shape"):
        LOSSES[loss](np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="at least one sample"):
        LOSSES[loss](np.zeros((0, 3)), np.zeros((0, 3)))


def test_every_loss_goes_with_registered_outputs():
    assert set(OUTPUTS_FOR_LOSS) == set(LOSSES)
    for outputs in OUTPUTS_FOR_LOSS.values():
        assert outputs <= set(at.OUTPUT_ACTIVATIONS)
    assert set(at.OUTPUT_ACTIVATIONS) == set(at.ACTIVATIONS) | {"softmax"}


def test_one_hot():
    np.testing.assert_array_equal(at.one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="labels"):
        at.one_hot([0, 3], 3)
