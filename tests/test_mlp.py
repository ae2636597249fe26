"""The MLP built from fprop/backprop."""

import math

import numpy as np
import pytest

import annteach as at

ALL_SSE = [(h, o) for h in sorted(at.ACTIVATIONS) for o in ("identity", "logistic", "tanh")]


@pytest.mark.parametrize(("hidden", "output"), ALL_SSE)
def test_gradients_sse_every_activation(hidden, output):
    rng = np.random.default_rng(1)
    X, T = rng.standard_normal((6, 3)), rng.uniform(0, 1, (6, 2))
    model = at.MLP([3, 4, 2], hidden=hidden, output=output, init="glorot", seed=2)
    assert at.check_gradient(model, X, T) < 1e-6


@pytest.mark.parametrize("hidden", sorted(at.ACTIVATIONS))
def test_gradients_softmax_cross_entropy(hidden):
    rng = np.random.default_rng(2)
    X, labels = rng.standard_normal((7, 3)), rng.integers(0, 4, 7)
    model = at.MLP([3, 5, 4], hidden=hidden, output="softmax", loss="cross_entropy",
                   init="glorot", seed=3)
    assert at.check_gradient(model, X, labels) < 1e-6
    assert at.check_gradient(model, X, at.one_hot(labels, 4)) < 1e-6


def test_gradients_logistic_cross_entropy_deep():
    rng = np.random.default_rng(4)
    X, T = rng.standard_normal((9, 2)), rng.integers(0, 2, 9).astype(float)
    model = at.MLP([2, 4, 3, 1], hidden="tanh", output="logistic", loss="cross_entropy",
                   init="glorot", seed=5)
    assert at.check_gradient(model, X, T) < 1e-6


def test_shapes_and_initialisation():
    model = at.MLP([2, 5, 3], seed=7, init_scale=0.05)
    assert [W.shape for W in model.weights] == [(5, 3), (3, 6)]
    rng = np.random.default_rng(7)
    np.testing.assert_array_equal(model.weights[0], rng.standard_normal((5, 3)) * 0.05)
    np.testing.assert_array_equal(model.weights[1], rng.standard_normal((3, 6)) * 0.05)
    glorot = at.MLP([200, 300], init="glorot", seed=0).weights[0]
    assert np.std(glorot[:, :-1]) == pytest.approx(math.sqrt(2 / 500), rel=0.05)
    assert np.all(glorot[:, -1] == 0)


def test_same_seed_same_model_different_seed_different_model():
    a, b, c = at.MLP([2, 3, 1], seed=1), at.MLP([2, 3, 1], seed=1), at.MLP([2, 3, 1], seed=2)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    assert not np.array_equal(a.weights[0], c.weights[0])


def test_one_sgd_step_worked_by_hand():
    # 1-1-1 network, tanh hidden unit, identity output, E = 1/2 (y - t)^2.
    model = at.MLP([1, 1, 1], hidden="tanh", output="identity")
    model.weights = [np.array([[0.5, 0.1]]), np.array([[2.0, -0.3]])]
    x, t, lr = 1.5, 1.0, 0.1
    h = math.tanh(0.5 * x + 0.1)
    y = 2.0 * h - 0.3
    delta_out = y - t                          # identity output: g' = 1
    delta_hid = (1 - h**2) * 2.0 * delta_out   # g'(a) * w_kj * delta_k
    expected = [np.array([[0.5 - lr * delta_hid * x, 0.1 - lr * delta_hid]]),
                np.array([[2.0 - lr * delta_out * h, -0.3 - lr * delta_out]])]
    model.fit([[x]], [t], epochs=1, learning_rate=lr, progress=False)
    for W, E in zip(model.weights, expected):
        np.testing.assert_allclose(W, E, rtol=1e-12)
    assert model.loss_history == [pytest.approx(0.5 * delta_out**2)]


@pytest.mark.parametrize("batch_size", [None, 3])
def test_a_fit_step_moves_by_the_learning_rate_times_the_mean_gradient(batch_size):
    rng = np.random.default_rng(5)
    X, T = rng.standard_normal((3, 2)), rng.uniform(0, 1, (3, 1))
    model = at.MLP([2, 4, 1], hidden="tanh", output="logistic", seed=6)
    _, grads = model.gradients(X, T)
    expected = [W - 0.3 * G for W, G in zip(model.weights, grads)]
    model.fit(X, T, epochs=1, batch_size=batch_size, learning_rate=0.3, progress=False)
    for W, E in zip(model.weights, expected):
        np.testing.assert_allclose(W, E, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_is_the_lectures_update_rule_exactly(dtype):
    """fit() gives bit for bit what the lecture's layers give in a plain loop."""
    rng = np.random.default_rng(8)
    X = rng.random((50, 6)).astype(dtype)
    labels = rng.integers(0, 3, 50)
    kw = {"hidden": "tanh", "output": "softmax", "loss": "cross_entropy", "seed": 4,
          "dtype": dtype}
    model, reference = at.MLP([6, 5, 3], **kw), at.MLP([6, 5, 3], **kw)
    model.fit(X, labels, epochs=3, batch_size=16, learning_rate=0.3, momentum=0.8,
              progress=False)
    T = at.one_hot(labels, 3, dtype=dtype)
    W = [P.copy() for P in reference.weights]
    V = [np.zeros_like(P) for P in W]
    for _ in range(3):
        order = reference.rng.permutation(50)
        for start in range(0, 50, 16):
            idx = order[start:start + 16]
            X0 = at.add_bias(X[idx])
            X1 = at.add_bias(at.fprop(W[0], X0, at.tanh))
            Y = at.fprop(W[1], X1, at.softmax)
            dEdX1, dW1 = at.backprop(W[1], X1, at.identity_derivative, Y, Y - T[idx])
            Delta = at.tanh_derivative(at.remove_bias(X1)) * at.remove_bias(dEdX1)
            for w, v, g in zip(W, V, [Delta.T @ X0, dW1]):
                v *= 0.8
                v -= g * (0.3 / len(idx))
                w += v
    for got, expected in zip(model.weights, W, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_loss_history_holds_the_mean_loss_of_each_epoch():
    X, T = at.xor_dataset()
    model = at.MLP([2, 3, 1], hidden="tanh", output="logistic", seed=2)
    before = model.loss(X, T)
    model.fit(X, T, epochs=1, learning_rate=0.1, progress=False)  # full batch: E before the step
    assert model.loss_history == [pytest.approx(before, rel=1e-12)]
    sse = 0.5 * np.sum((model.predict_proba(X)[:, 0] - T) ** 2) / 4
    assert model.loss(X, T) == pytest.approx(sse, rel=1e-12)


def test_the_name_of_the_loss_is_an_attribute_beside_the_method():
    model = at.MLP([2, 3], output="softmax", loss="cross_entropy")
    assert model.loss_function == "cross_entropy" and callable(model.loss)
    assert at.OUTPUT_ACTIVATIONS["softmax"][0] is at.softmax


def test_momentum_accumulates_velocity():
    model = at.MLP([1, 1], output="identity")
    model.weights = [np.array([[0.0, 0.0]])]
    # dE/dw = (y - t) x = -1 at w = 0 for x = 1, t = 1
    model.fit([[1.0]], [1.0], epochs=1, learning_rate=0.1, momentum=0.9, progress=False)
    np.testing.assert_allclose(model.weights[0], [[0.1, 0.1]])
    # fit starts with zero velocity, so a second call steps by the new gradient alone:
    # at w = b = 0.1 the gradient is (0.2 - 1) * 1 = -0.8, so w = 0.1 + 0.1 * 0.8
    model.fit([[1.0]], [1.0], epochs=1, learning_rate=0.1, momentum=0.9, progress=False)
    np.testing.assert_allclose(model.weights[0], [[0.18, 0.18]])
    # within one call the velocity carries over: two epochs = 0.1, then 0.1 + 0.9*0.1 + 0.08
    model.weights = [np.array([[0.0, 0.0]])]
    model.fit([[1.0]], [1.0], epochs=2, learning_rate=0.1, momentum=0.9, progress=False)
    np.testing.assert_allclose(model.weights[0], [[0.27, 0.27]])


def test_mlp_learns_xor_from_a_fixed_seed():
    X, Y = at.xor_dataset()
    model = at.MLP([2, 2, 1], hidden="logistic", output="logistic", seed=0, init_scale=1.0)
    model.fit(X, Y, epochs=2000, learning_rate=2.0, momentum=0.9, progress=False)
    np.testing.assert_array_equal(model.predict(X), Y)
    assert model.loss_history[-1] < 0.01 < model.loss_history[0]
    assert len(model.loss_history) == 2000


def test_equal_weights_stay_equal():
    X, Y = at.xor_dataset()
    model = at.MLP([2, 2, 1], hidden="logistic", output="logistic")
    model.weights = [np.full((2, 3), 0.3), np.full((1, 3), 0.3)]
    model.fit(X, Y, epochs=50, learning_rate=1.0, progress=False)
    W = model.weights[0]
    np.testing.assert_allclose(W[0], W[1])


def test_predict_shapes():
    X = np.random.default_rng(0).standard_normal((5, 3))
    soft = at.MLP([3, 4], output="softmax", loss="cross_entropy")
    assert soft.predict(X).shape == (5,)
    np.testing.assert_allclose(soft.predict_proba(X).sum(axis=1), 1)
    reg = at.MLP([3, 2])
    assert reg.predict(X).shape == (5, 2)


def test_float32_model_stays_float32():
    X = np.random.default_rng(0).standard_normal((5, 3))
    m = at.MLP([3, 4, 2], dtype=np.float32)
    assert m.predict_proba(X).dtype == np.float32
    m.fit(X, np.zeros((5, 2)), epochs=1, progress=False)
    assert all(W.dtype == np.float32 for W in m.weights)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"layer_sizes": [3]}, "at least two"),
    ({"layer_sizes": [3, 2], "hidden": "sin"}, "sin"),
    ({"layer_sizes": [3, 2], "output": "softmax"}, "does not go with"),
    ({"layer_sizes": [3, 2], "loss": "hinge"}, "hinge"),
    ({"layer_sizes": [3, 2], "init": "zeros"}, "zeros"),
    ({"layer_sizes": [3, 2], "output": "logistic", "loss": "cross_entropy"}, "one output"),
])
def test_bad_configuration_is_a_clear_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        at.MLP(**kwargs)


def test_bad_data_is_a_clear_error():
    m = at.MLP([3, 2])
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        m.predict(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"\(4, 2\)"):
        m.fit(np.zeros((4, 3)), np.zeros((4, 3)), progress=False)
    with pytest.raises(ValueError, match="batch_size"):
        m.fit(np.zeros((4, 3)), np.zeros((4, 2)), batch_size=0, progress=False)


def test_keep_velocity_continues_momentum_across_calls():
    X, Y = at.xor_dataset()
    whole = at.MLP([2, 3, 1], seed=4)
    whole.fit(X, Y, epochs=6, learning_rate=0.3, momentum=0.8, progress=False)
    pieces = at.MLP([2, 3, 1], seed=4)
    for epochs in (1, 2, 3):
        pieces.fit(X, Y, epochs=epochs, learning_rate=0.3, momentum=0.8, progress=False,
                   keep_velocity=True)
    for W, R in zip(pieces.weights, whole.weights):
        np.testing.assert_allclose(W, R, rtol=1e-12)
    restarted = at.MLP([2, 3, 1], seed=4)
    for epochs in (1, 2, 3):
        restarted.fit(X, Y, epochs=epochs, learning_rate=0.3, momentum=0.8, progress=False)
    assert not np.allclose(restarted.weights[0], whole.weights[0])


@pytest.mark.parametrize("init_scale", [float("nan"), float("inf"), -0.1, "0.1"])
def test_bad_init_scale_is_refused(init_scale):
    with pytest.raises(ValueError, match="init_scale"):
        at.MLP([2, 2, 1], init_scale=init_scale)


def _xor():
    X, T = at.xor_dataset()
    return np.asarray(X, float), np.asarray(T, float)


@pytest.mark.parametrize(("change", "match"), [
    ({"X": "nan"}, "X"), ({"X": "inf"}, "X"), ({"T": "nan"}, "T"), ({"T": "inf"}, "T"),
    ({"learning_rate": float("nan")}, "learning_rate"),
    ({"learning_rate": float("inf")}, "learning_rate"),
    ({"learning_rate": 0.0}, "learning_rate"), ({"learning_rate": -1.0}, "learning_rate"),
    ({"momentum": float("nan")}, "momentum"), ({"momentum": 1.0}, "momentum"),
    ({"momentum": -0.1}, "momentum"),
    ({"epochs": -5}, "epochs"), ({"epochs": 2.7}, "epochs"), ({"epochs": "3"}, "epochs"),
    ({"batch_size": 2.5}, "batch_size"), ({"batch_size": 0}, "batch_size"),
])
def test_fit_refuses_non_finite_data_and_bad_settings(change, match):
    X, T = _xor()
    if change.get("X"):
        X[1, 0] = float(change.pop("X"))
    if change.get("T"):
        T[2] = float(change.pop("T"))
    model = at.MLP([2, 2, 1], seed=0)
    before = [W.copy() for W in model.weights]
    with pytest.raises(ValueError, match=match):
        model.fit(X, T, progress=False, **change)
    assert all(np.array_equal(W, B) for W, B in zip(model.weights, before))
    assert model.loss_history == []


def test_fit_on_no_samples_is_a_clear_error():
    model = at.MLP([2, 2, 1], seed=0)
    with pytest.raises(ValueError, match="no samples"):
        model.fit(np.zeros((0, 2)), np.zeros(0), batch_size=2, progress=False)
    with pytest.raises(ValueError, match="no samples"):
        model.fit(np.zeros((0, 2)), np.zeros(0), progress=False)


def test_fit_stops_when_the_loss_diverges_and_keeps_the_last_good_weights():
    X, T = _xor()
    model = at.MLP([2, 8, 1], hidden="relu", init="he", seed=0)
    model.fit(X, T, epochs=3, learning_rate=0.1, progress=False)
    good = [W.copy() for W in model.weights]
    with pytest.raises(FloatingPointError, match=r"diverged.*epoch \d+.*learning_rate"):
        model.fit(X, T, epochs=100, learning_rate=1e6, progress=False)
    assert all(np.isfinite(W).all() for W in model.weights)
    assert all(np.isfinite(model.loss_history))
    assert len(model.loss_history) >= 3
    if len(model.loss_history) == 3:  # diverged in its first epoch: back where it started
        assert all(np.array_equal(W, G) for W, G in zip(model.weights, good))
    assert np.all(np.isfinite(model.predict(X)))


def test_raw_grey_values_are_refused():
    images = np.random.default_rng(0).integers(0, 256, (5, 784), dtype=np.uint8)
    model = at.MLP([784, 10], output="softmax", loss="cross_entropy")
    with pytest.raises(ValueError, match=r"0-255.*annteach\.scale"):
        model.fit(images, np.arange(5), progress=False)
    with pytest.raises(ValueError, match=r"0-255.*annteach\.scale"):
        model.predict(images)
    model.fit(at.scale(images), np.arange(5), epochs=1, progress=False)  # scaled: fine
    assert at.MLP([2, 1]).predict(np.array([[0, 1]], np.uint8)).shape == (1, 1)  # 0/1 is fine
