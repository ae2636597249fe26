"""The contract every classifier of the package keeps, checked for the MLP and the CNN alike.

``predict`` gives labels and ``predict_proba`` probabilities; ``loss`` is the mean over
the samples and ``gradients`` returns it with its gradient; the gradient check passes.
"""

import numpy as np
import pytest

import annteach as at
from annteach.training import train

K = 4  # classes


def _mlp():
    return at.MLP([12, 5, K], hidden="tanh", output="softmax", loss="cross_entropy",
                  init="glorot", seed=1)


def _cnn():
    model = at.CNN(conv_channels=(2,), paddings=(1,), hidden=5, n_classes=K,
                   input_shape=(1, 6, 6), seed=1, dtype=np.float64)
    for name, P in model.weights.items():  # biases off zero: no ReLU sits on its kink
        if name.startswith("b"):
            P += 0.1
        elif P.ndim == 2:
            P[:, -1] += 0.1
    return model


def _data(model, n=6, seed=0):
    rng = np.random.default_rng(seed)
    shape = (n, 12) if isinstance(model, at.MLP) else (n, 1, 6, 6)
    return rng.random(shape), rng.integers(0, K, n)


MODELS = [pytest.param(_mlp, id="MLP"), pytest.param(_cnn, id="CNN")]


@pytest.mark.parametrize("make", MODELS)
def test_predict_gives_labels_and_predict_proba_probabilities(make):
    model = make()
    X, _ = _data(model)
    P = model.predict_proba(X)
    assert P.shape == (6, K)
    assert np.all(P >= 0)
    np.testing.assert_allclose(P.sum(axis=1), 1, rtol=1e-12)
    labels = model.predict(X)
    assert labels.shape == (6,) and np.issubdtype(labels.dtype, np.integer)
    np.testing.assert_array_equal(labels, P.argmax(axis=1))


@pytest.mark.parametrize("make", MODELS)
def test_loss_is_the_mean_of_the_per_sample_losses(make):
    model = make()
    X, labels = _data(model)
    each = [model.loss(X[i:i + 1], labels[i:i + 1]) for i in range(len(X))]
    assert model.loss(X, labels) == pytest.approx(np.mean(each), rel=1e-12)
    P = model.predict_proba(X)
    assert model.loss(X, labels) == pytest.approx(-np.mean(np.log(P[np.arange(6), labels])))
    assert model.loss(X, at.one_hot(labels, K)) == pytest.approx(model.loss(X, labels))


@pytest.mark.parametrize("make", MODELS)
def test_gradients_are_those_of_the_mean(make):
    model = make()
    X, labels = _data(model)
    E, grads = model.gradients(X, labels)
    assert E == pytest.approx(model.loss(X, labels), rel=1e-12)
    assert [G.shape for G in grads] == [P.shape for P in model.params]
    # the mean does not change when every sample comes twice, and neither does its gradient
    E2, grads2 = model.gradients(np.concatenate([X, X]), np.concatenate([labels, labels]))
    assert E2 == pytest.approx(E, rel=1e-12)
    for G, G2 in zip(grads, grads2, strict=True):
        np.testing.assert_allclose(G2, G, rtol=1e-10, atol=1e-14)
    # and it is the average of the per-sample gradients
    each = [model.gradients(X[i:i + 1], labels[i:i + 1])[1] for i in range(len(X))]
    for k, G in enumerate(grads):
        np.testing.assert_allclose(np.mean([g[k] for g in each], axis=0), G, rtol=1e-10,
                                   atol=1e-14)


@pytest.mark.parametrize("make", MODELS)
def test_gradient_check(make):
    model = make()
    X, labels = _data(model)
    assert at.check_gradient(model, X, labels) < 1e-6


@pytest.mark.parametrize("make", MODELS)
def test_gradients_can_return_the_outputs_on_the_way(make):
    model = make()
    X, labels = _data(model)
    E, grads, Y = model.gradients(X, labels, return_outputs=True)
    np.testing.assert_allclose(Y, model.predict_proba(X), rtol=1e-12)
    assert E == model.gradients(X, labels)[0]


@pytest.mark.parametrize("make", MODELS)
def test_params_are_the_arrays_an_optimiser_updates(make):
    model = make()
    X, labels = _data(model, n=12, seed=3)
    before = model.loss(X, labels)
    images = X.reshape(len(X), -1) if isinstance(model, at.MLP) else X[:, 0]
    train(model, images, labels, epochs=60, batch_size=4, lr=0.03, max_shift=0, seed=0,
          input_shape=X.shape[1:], progress=False)
    assert model.loss(X, labels) < 0.5 * before
    assert at.count_params(model) == sum(P.size for P in model.params)
