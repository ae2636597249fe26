"""Tests for annteach.xor_seeds: the stacked training of many XOR networks equals at.MLP."""

import numpy as np
import pytest

import annteach as at


def _mlp_run(seed, epochs, hidden="tanh", init="normal", init_scale=0.05, **fit):
    X, T = at.xor_dataset()
    model = at.MLP([2, 2, 1], hidden=hidden, output="logistic", loss="sse", seed=seed,
                   init=init, init_scale=init_scale)
    outputs, weights = [model.predict_proba(X)[:, 0]], [[W.copy() for W in model.weights]]
    for _ in range(epochs):                 # one epoch per call, velocity kept between calls
        model.fit(X, T, epochs=1, progress=False, keep_velocity=True, **fit)
        outputs.append(model.predict_proba(X)[:, 0])
        weights.append([W.copy() for W in model.weights])
    return model, np.array(outputs), weights


@pytest.mark.parametrize("settings", [
    {},                                                          # lecture 4: full batch
    {"batch_size": 1},                                           # stochastic
    {"batch_size": 3, "momentum": 0.5, "learning_rate": 0.7},   # uneven mini-batches
    {"hidden": "logistic", "init_scale": 0.5},
    {"init": "glorot"},
])
def test_stacked_training_equals_mlp_fit(settings):
    seeds, epochs = [0, 3, 9], 60
    fit = {"learning_rate": settings.get("learning_rate", 2.0),
           "momentum": settings.get("momentum", 0.9),
           "batch_size": settings.get("batch_size")}
    net = {k: v for k, v in settings.items() if k in ("hidden", "init", "init_scale")}
    runs = at.train_xor_seeds(seeds, epochs=epochs, **fit, **net)
    assert runs.W1.shape == (3, epochs + 1, 2, 3) and runs.W2.shape == (3, epochs + 1, 1, 3)
    assert runs.loss.shape == (3, epochs) and runs.outputs.shape == (3, epochs + 1, 4)
    for i, seed in enumerate(seeds):
        model, outputs, weights = _mlp_run(seed, epochs, **net, **fit)
        np.testing.assert_allclose(runs.outputs[i], outputs, rtol=0, atol=1e-12)
        np.testing.assert_allclose(runs.loss[i], model.loss_history, rtol=0, atol=1e-12)
        for e in (0, 1, epochs // 2, epochs):
            np.testing.assert_allclose(runs.W1[i, e], weights[e][0], rtol=0, atol=1e-12)
            np.testing.assert_allclose(runs.W2[i, e], weights[e][1], rtol=0, atol=1e-12)


def test_one_long_fit_is_reproduced_exactly():
    X, T = at.xor_dataset()
    runs = at.train_xor_seeds([3, 9], epochs=500)
    for i, seed in enumerate([3, 9]):
        model = at.MLP([2, 2, 1], hidden="tanh", output="logistic", loss="sse", seed=seed)
        model.fit(X, T, epochs=500, learning_rate=2.0, momentum=0.9, progress=False)
        np.testing.assert_allclose(runs.W1[i, -1], model.weights[0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(runs.W2[i, -1], model.weights[1], rtol=0, atol=1e-12)
        assert runs.learned[i, -1] == np.array_equal(model.predict(X), T)


def test_learned_means_all_four_on_the_correct_side():
    runs = at.train_xor_seeds(range(6), epochs=300)
    _, T = at.xor_dataset()
    expected = np.all((runs.outputs > 0.5) == (T == 1), axis=-1)
    assert np.array_equal(runs.learned, expected)
    assert not runs.learned[:, 0].any()                 # nobody starts knowing XOR
    first = runs.learned_epoch
    for i in range(6):
        if first[i] >= 0:
            assert runs.learned[i, first[i]] and not runs.learned[i, :first[i]].any()
        else:
            assert not runs.learned[i].any()
    np.testing.assert_allclose(runs.mean_error[:, :-1], runs.loss, rtol=1e-12)
    norms = np.sqrt((runs.W1 ** 2).sum(axis=(2, 3)) + (runs.W2 ** 2).sum(axis=(2, 3)))
    np.testing.assert_allclose(runs.weight_norm, norms)


def test_seed_9_goes_towards_a_minimum_at_infinity():
    runs = at.train_xor_seeds([9], epochs=3000)
    E, norm, y = runs.mean_error[0], runs.weight_norm[0], runs.outputs[0]
    assert not runs.learned[0].any()
    # after the plateau: the error falls at every epoch towards 0.0625 while the weights grow
    assert np.all(np.diff(E[1000:]) < 0) and np.all(np.diff(norm[1000:]) > 0)
    assert 0.0625 < E[-1] < E[1000] < 0.0626
    assert norm[-1] > norm[1000] + 0.5
    # two samples sit at 0.5 (their errors 1/2 * 0.5**2 each give the mean 0.0625)
    assert np.sum(np.abs(y[-1] - 0.5) < 1e-3) == 2


@pytest.mark.parametrize("kw, match", [
    ({"seeds": []}, "seeds"), ({"epochs": -1}, "epochs"), ({"batch_size": 0}, "batch_size"),
    ({"learning_rate": 0.0}, "learning_rate"), ({"momentum": 1.0}, "momentum"),
    ({"hidden": "sigmoid"}, "hidden"), ({"init": "zeros"}, "init"),
])
def test_bad_settings_are_named(kw, match):
    args = {"seeds": [0], "epochs": 2, **kw}
    with pytest.raises(ValueError, match=match):
        at.train_xor_seeds(**args)


def test_zero_epochs():
    runs = at.train_xor_seeds([1, 2], epochs=0)
    assert runs.loss.shape == (2, 0) and runs.outputs.shape == (2, 1, 4)
    X, _ = at.xor_dataset()
    model = at.MLP([2, 2, 1], hidden="tanh", output="logistic", loss="sse", seed=2)
    np.testing.assert_allclose(runs.outputs[1, 0], model.predict_proba(X)[:, 0], atol=1e-15)
