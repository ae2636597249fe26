"""Tests of annteach.views: what the explorers draw, computed without figures."""

import numpy as np
import pytest

import annteach as at
from annteach import views


# -- input_grid ------------------------------------------------------------------
def test_input_grid_spans_the_square_with_x1_along_columns():
    X1, X2 = views.input_grid(5)
    assert X1.shape == X2.shape == (5, 5)
    np.testing.assert_array_equal(X1[0], [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_array_equal(X2[:, 0], [0, 0.25, 0.5, 0.75, 1])
    assert np.all(X1 == X1[0]) and np.all(X2.T == X2[:, 0])


@pytest.mark.parametrize("kwargs", [{"n": 1}, {"n": 2.5}, {"lo": 1.0, "hi": 1.0}])
def test_input_grid_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        views.input_grid(**kwargs)


# -- symmetric_weights -----------------------------------------------------------
def test_symmetric_weights_sets_every_weight():
    weights = views.symmetric_weights(0.7)
    assert set(weights) == set(at.XOR_WEIGHTS)
    assert set(weights.values()) == {0.7}


def test_symmetric_weights_give_both_hidden_units_the_same_gradient():
    # Why symmetry must be broken: with all weights equal, the weights into
    # hidden unit 1 (w3, w4, b2) and into unit 2 (w5, w6, b3) get equal
    # gradients, so gradient descent keeps them equal forever.
    weights = views.symmetric_weights(0.5)
    names = list(weights)
    point = np.array([weights[n] for n in names])
    grad = at.numerical_gradient(lambda p: at.xor_error(**dict(zip(names, p))), point)
    g = dict(zip(names, grad))
    for unit1, unit2 in (("w3", "w5"), ("w4", "w6"), ("b2", "b3")):
        assert g[unit1] == pytest.approx(g[unit2], abs=1e-9)
    assert g["w1"] == pytest.approx(g["w2"], abs=1e-9)
    assert abs(g["w3"]) > 1e-6  # the gradients are not trivially zero


# -- tangent -----------------------------------------------------------------------
def test_tangent_of_logistic_at_zero():
    # logistic(0) = 1/2 and logistic'(0) = 1/4.
    y0, slope, line = views.tangent("logistic", 0.0, [-2.0, 0.0, 2.0])
    assert y0 == pytest.approx(0.5)
    assert slope == pytest.approx(0.25)
    np.testing.assert_allclose(line, [0.0, 0.5, 1.0])


@pytest.mark.parametrize("name, f", [("tanh", np.tanh),
                                     ("logistic", lambda a: 1 / (1 + np.exp(-a))),
                                     ("identity", lambda a: a)])
@pytest.mark.parametrize("a0", [-1.3, 0.4, 2.0])
def test_tangent_slope_matches_a_central_difference(name, f, a0):
    y0, slope, line = views.tangent(name, a0, np.array([a0 - 1.0, a0]))
    eps = 1e-6
    assert y0 == pytest.approx(f(a0))
    assert slope == pytest.approx((f(a0 + eps) - f(a0 - eps)) / (2 * eps), rel=1e-6)
    np.testing.assert_allclose(line, [y0 - slope, y0])


def test_tangent_of_relu():
    assert views.tangent("relu", -1.0, [0.0])[1] == 0.0
    y0, slope, _ = views.tangent("relu", 2.0, [0.0])
    assert (y0, slope) == (2.0, 1.0)


def test_tangent_rejects_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation"):
        views.tangent("swish", 0.0, [0.0])


# -- XorTraining -----------------------------------------------------------------
def test_training_starts_from_the_seeded_mlp():
    training = views.XorTraining(hidden_units=4, seed=3)
    reference = at.MLP([2, 4, 1], hidden="tanh", output="logistic", loss="cross_entropy",
                       init="glorot", seed=3)
    assert training.epochs == 0
    for W, R in zip(training.model.weights, reference.weights):
        np.testing.assert_array_equal(W, R)


@pytest.mark.parametrize("stochastic", [False, True])
def test_training_steps_match_mlp_fit(stochastic):
    # Same seed, same updates: one call of MLP.fit with momentum equals the
    # same number of epochs taken in several steps (the velocity is kept).
    X, Y = at.xor_dataset()
    reference = at.MLP([2, 3, 1], hidden="tanh", output="logistic", loss="cross_entropy",
                       init="glorot", seed=0)
    reference.fit(X, Y, epochs=7, batch_size=1 if stochastic else None, learning_rate=0.4,
                  momentum=0.6, progress=False)
    training = views.XorTraining(hidden_units=3, seed=0)
    for epochs in (1, 2, 4):
        losses = training.step(epochs, learning_rate=0.4, momentum=0.6, stochastic=stochastic)
        assert losses.shape == (epochs,)
    np.testing.assert_allclose(training.model.loss_history, reference.loss_history)
    for W, R in zip(training.model.weights, reference.weights):
        np.testing.assert_allclose(W, R)


def test_training_momentum_changes_the_path():
    plain, heavy = views.XorTraining(), views.XorTraining()
    for _ in range(3):
        plain.step(1, momentum=0.0)
        heavy.step(1, momentum=0.9)
    assert not np.allclose(plain.model.weights[0], heavy.model.weights[0])


def test_training_reset_restores_initial_weights_and_size():
    training = views.XorTraining(seed=1)
    initial = [W.copy() for W in training.model.weights]
    training.step(5)
    assert not np.array_equal(training.model.weights[0], initial[0])
    training.reset()
    assert training.epochs == 0
    assert training.model.velocity is None  # a fresh network: the next step starts at rest
    for W, W0 in zip(training.model.weights, initial):
        np.testing.assert_array_equal(W, W0)
    training.reset(hidden_units=5)
    assert training.model.layer_sizes == [2, 5, 1]
    np.testing.assert_array_equal(training.initial_weights[0], training.model.weights[0])


def test_training_rejects_bad_settings():
    training = views.XorTraining()
    with pytest.raises(ValueError):
        training.step(1, learning_rate=0)
    with pytest.raises(ValueError):
        training.step(1, momentum=1.0)


def test_grid_output_is_the_network_output_at_each_point():
    training = views.XorTraining()
    training.step(3)
    X1, X2 = views.input_grid(4)
    Y = training.grid_output(X1, X2)
    assert Y.shape == (4, 4)
    i, j = 2, 1
    expected = training.model.predict_proba(np.array([[X1[i, j], X2[i, j]]]))[0, 0]
    assert Y[i, j] == pytest.approx(expected)


# -- bar_roles -------------------------------------------------------
def test_bar_roles_mark_truth_and_a_wrong_top_class():
    assert views.bar_roles([0.1, 0.7, 0.2], label=1) == ["other", "truth", "other"]
    assert views.bar_roles([0.1, 0.3, 0.6], label=1) == ["other", "truth", "prediction"]
    assert set(views.bar_roles([0.2, 0.5, 0.3], 0)) <= set(views.BAR_ROLES)


@pytest.mark.parametrize("probs, label", [([0.5, 0.5], 2), ([0.5, 0.5], -1),
                                          ([[0.5, 0.5]], 0)])
def test_bar_roles_rejects_bad_input(probs, label):
    with pytest.raises(ValueError, match="probs of shape"):
        views.bar_roles(probs, label)


# -- step_index, position_among -----------------------------------------
def test_step_index_steps_by_one_and_wraps():
    assert views.step_index(3, 10, 1) == 4
    assert views.step_index(3, 10, -1) == 2
    assert views.step_index(9, 10, 1) == 0
    assert views.step_index(0, 10, -1) == 9
    assert views.step_index(0, 1, 1) == 0


def test_step_index_through_mistakes_only():
    wrong = [2, 5, 9]
    assert views.step_index(2, 12, 1, wrong) == 5
    assert views.step_index(5, 12, -1, wrong) == 2
    assert views.step_index(3, 12, 1, wrong) == 5  # from an image that is no mistake
    assert views.step_index(3, 12, -1, wrong) == 2
    assert views.step_index(9, 12, 1, wrong) == 2  # wraps around
    assert views.step_index(11, 12, 1, wrong) == 2
    assert views.step_index(2, 12, -1, wrong) == 9
    assert views.step_index(0, 12, -1, wrong) == 9
    assert views.step_index(4, 12, 1, [9, 2, 5]) == 5  # any order
    assert views.step_index(4, 12, 1, []) is None


def test_step_index_visits_every_mistake_once_per_round():
    wrong = np.array([0, 3, 4, 10, 19])
    seen, index = [], 7
    for _ in range(len(wrong)):
        index = views.step_index(index, 20, 1, wrong)
        seen.append(index)
    assert seen == [10, 19, 0, 3, 4]
    back = [views.step_index(i, 20, -1, wrong) for i in seen]
    assert back == [4, 10, 19, 0, 3]


@pytest.mark.parametrize("args, message", [
    ((10, 10, 1), "index"), ((-1, 10, 1), "index"), ((0, 0, 1), "index"),
    ((0, 10, 2), "direction"), ((0, 10, 1, [3, 10]), "must lie in"),
    ((0, 10, 1, [-1]), "must lie in"),
])
def test_step_index_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        views.step_index(*args)


def test_position_among_counts_from_one():
    assert views.position_among(5, [2, 5, 9]) == (2, 3)
    assert views.position_among(2, [2, 5, 9]) == (1, 3)
    assert views.position_among(4, [2, 5, 9]) is None
    assert views.position_among(4, []) is None
