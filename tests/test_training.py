"""Tests of annteach.training (the optimiser, the schedule, the augmentation, the loop) and
of the command that trains the shipped CNN (annteach.tools.train_cnn)."""

import argparse
import json

import numpy as np
import pytest

import annteach as at
from annteach.__main__ import main
from annteach.cnn import CNN
from annteach.cnn_files import default_model_path, load_cnn
from annteach.tools.train_cnn import DEFAULTS, configure_parser, default_out
from annteach.training import RECIPE, Adam, cosine_learning_rate, random_shifts, train

SMALL = {"conv_channels": (4, 8), "hidden": 16}


@pytest.fixture(scope="module")
def few_digits():
    images, labels = at.load_mnist("train")
    return at.scale(images[:256]), labels[:256].astype(np.int64)


def test_adam_first_step_has_size_lr_and_descends():
    P = np.array([3.0, -2.0, 0.5])
    opt = Adam([P])
    grad = 2 * P  # gradient of sum(P**2)
    opt.step([grad], lr=0.1)
    # Adam's first step is lr * sign(g) (up to eps): bias correction cancels the moments
    np.testing.assert_allclose(P, [2.9, -1.9, 0.4], rtol=1e-6)
    for _ in range(200):
        opt.step([2 * P], lr=0.1)
    assert np.all(np.abs(P) < 0.05)


def test_cosine_learning_rate_falls_from_lr_to_zero():
    rates = [cosine_learning_rate(0.1, step, 10) for step in range(11)]
    assert rates[0] == 0.1 and rates[5] == pytest.approx(0.05) and rates[10] == pytest.approx(0)
    assert all(a > b for a, b in zip(rates, rates[1:]))


def test_random_shifts_cut_shifted_copies():
    rng = np.random.default_rng(0)
    images = rng.random((5, 6, 7))
    s = 2
    padded = np.pad(images, ((0, 0), (s, s), (s, s)))
    idx = np.array([4, 0, 4, 2])
    out = random_shifts(padded, idx, s, np.random.default_rng(1))
    assert out.shape == (4, 1, 6, 7)
    seen = set()
    for k, i in enumerate(idx):
        matches = [(dy, dx) for dy in range(2 * s + 1) for dx in range(2 * s + 1)
                   if np.array_equal(out[k, 0], padded[i, dy:dy + 6, dx:dx + 7])]
        assert matches, f"output {k} is not a shifted copy of image {i}"
        seen.add(matches[0])
    assert len(seen) > 1  # not all the same shift
    unshifted = random_shifts(images, idx, 0, np.random.default_rng(1))
    np.testing.assert_array_equal(unshifted[:, 0], images[idx])


def test_training_lowers_the_loss_and_is_reproducible(few_digits):
    X, y = few_digits
    model = CNN(**SMALL, seed=0)
    before = model.loss(X[:, None], y)
    history = train(model, X, y, epochs=2, batch_size=32, lr=3e-3, seed=0, progress=False)
    assert model.loss(X[:, None], y) < 0.8 * before
    assert history[1]["loss"] < history[0]["loss"]
    assert set(history[0]) == {"loss", "accuracy"}
    again = CNN(**SMALL, seed=0)
    train(again, X, y, epochs=2, batch_size=32, lr=3e-3, seed=0, progress=False)
    for a, b in zip(model.weights, again.weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_same_loop_trains_an_mlp(few_digits):
    X, y = few_digits
    mlp = at.MLP([784, 32, 10], hidden="relu", output="softmax", loss="cross_entropy",
                 init="he", dtype=np.float32, seed=0)
    flat = X.reshape(len(X), 784)
    before = mlp.loss(flat, y)
    history = train(mlp, X, y, epochs=3, batch_size=32, lr=3e-3, max_shift=1, seed=0,
                    input_shape=(784,), progress=False)
    assert mlp.loss(flat, y) < 0.7 * before
    assert history[2]["accuracy"] > history[0]["accuracy"]
    plain = at.MLP([784, 32, 10], hidden="relu", output="softmax", loss="cross_entropy",
                   init="he", dtype=np.float32, seed=0)
    train(plain, flat, y, epochs=1, batch_size=32, lr=3e-3, max_shift=0, progress=False)
    assert plain.loss(flat, y) < before  # flat samples without shifts go in as they are


def test_train_rejects_mismatched_labels(few_digits):
    X, y = few_digits
    with pytest.raises(ValueError, match="labels"):
        train(CNN(**SMALL), X, y[:-1], epochs=1, progress=False)


def test_parser_defaults_are_the_documented_recipe():
    assert {k: DEFAULTS[k] for k in RECIPE} == RECIPE
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    args = parser.parse_args([])
    assert args.epochs == DEFAULTS["epochs"] and args.batch_size == DEFAULTS["batch_size"]
    assert args.lr == DEFAULTS["lr"] and args.max_shift == DEFAULTS["max_shift"]
    assert args.seed == DEFAULTS["seed"] and args.threads == DEFAULTS["threads"]
    assert tuple(args.channels) == DEFAULTS["conv_channels"] == CNN().conv_channels
    assert args.hidden == DEFAULTS["hidden"] == CNN().hidden
    assert args.out is None


def test_command_writes_loadable_weights(tmp_path, capsys):
    rc = main(["train-cnn", "--out", str(tmp_path), "--limit", "300", "--epochs", "1",
               "--channels", "4", "8", "--hidden", "16", "--no-progress"])
    assert rc == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cnn.json", "cnn.npz"]
    model = load_cnn(tmp_path / "cnn.npz")
    assert model.conv_channels == (4, 8) and model.hidden == 16
    meta = json.loads((tmp_path / "cnn.json").read_text())
    assert meta["training"]["train_images"] == 300 and meta["training"]["epochs"] == 1
    assert meta["test_images"] == 10000 and 0 <= meta["test_accuracy"] <= 1
    images, labels = at.load_mnist("test")
    assert at.model_accuracy(model, at.scale(images), labels) == pytest.approx(
        meta["test_accuracy"], abs=1e-4)
    assert "accuracy on the MNIST test set" in capsys.readouterr().out


def test_a_changed_recipe_never_replaces_the_shipped_model(capsys):
    shipped = default_model_path()
    before = shipped.read_bytes()
    with pytest.raises(SystemExit, match="--out") as info:
        main(["train-cnn", "--out", str(shipped.parent), "--limit", "10", "--epochs", "1",
              "--no-progress"])
    assert "epochs" in str(info.value) and "limit" in str(info.value)
    assert shipped.read_bytes() == before


def test_the_default_output_is_the_user_cache_not_the_package(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    assert default_out() == tmp_path / "annteach" / "models"
    rc = main(["train-cnn", "--limit", "64", "--epochs", "1", "--batch-size", "32",
               "--channels", "2", "--hidden", "0", "--no-progress"])
    assert rc == 0
    assert sorted(p.name for p in (tmp_path / "annteach" / "models").iterdir()) == [
        "cnn.json", "cnn.npz"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"batch_size": 0}, "batch_size"), ({"batch_size": 2.5}, "batch_size"),
    ({"batch_size": True}, "batch_size"), ({"max_shift": -1}, "max_shift"),
    ({"max_shift": 28}, "max_shift"), ({"max_shift": 1.5}, "max_shift"),
    ({"epochs": -1}, "epochs"), ({"epochs": -5}, "epochs"), ({"epochs": 2.7}, "epochs"),
    ({"epochs": "3"}, "epochs"), ({"lr": 0.0}, "lr"), ({"lr": -1e-3}, "lr"),
    ({"lr": float("nan")}, "lr"), ({"lr": float("inf")}, "lr"), ({"lr": "0.1"}, "lr"),
])
def test_train_rejects_bad_settings(kwargs, match):
    settings = {"epochs": 1, "batch_size": 4, "lr": 1e-3, "max_shift": 0, "seed": 0,
                "progress": False} | kwargs
    images, labels = np.zeros((8, 28, 28), np.float32), np.zeros(8, np.int64)
    model = CNN(conv_channels=(2, 2), hidden=None, seed=0)
    before = [P.copy() for P in model.params]
    with pytest.raises(ValueError, match=match):
        train(model, images, labels, **settings)
    assert all(np.array_equal(P, Q) for P, Q in zip(model.params, before, strict=True))


@pytest.mark.parametrize(("images", "labels", "match"), [
    (np.full((8, 28, 28), np.nan, np.float32), np.zeros(8, np.int64), "finite"),
    (np.full((8, 28, 28), np.inf, np.float32), np.zeros(8, np.int64), "finite"),
    (np.zeros((8, 28, 28), np.float32), np.zeros(8), "labels"),
    (np.zeros((8, 28, 28), np.float32), np.zeros((8, 1), np.int64), "labels"),
    (np.zeros((8, 28, 28), np.float32), np.full(8, -1), "labels"),
])
def test_train_rejects_bad_data_before_the_first_step(images, labels, match):
    model = CNN(conv_channels=(2, 2), hidden=None, seed=0)
    with pytest.raises(ValueError, match=match):
        train(model, images, labels, epochs=1, batch_size=4, lr=1e-3, max_shift=0, seed=0,
              progress=False)


def test_check_settings_is_what_train_checks():
    from annteach.training import check_settings

    assert check_settings(epochs=3, batch_size=8, lr=0.01, max_shift=2,
                          image_shape=(28, 28)) is None
    with pytest.raises(ValueError, match="max_shift"):
        check_settings(epochs=3, batch_size=8, lr=0.01, max_shift=5, image_shape=(5, 9))


def test_train_rejects_an_empty_training_set():
    with pytest.raises(ValueError, match="no training images"):
        train(CNN(seed=0), np.zeros((0, 28, 28), np.float32), np.zeros(0, np.int64),
              epochs=1, batch_size=4, lr=1e-3, max_shift=0, seed=0, progress=False)
