"""Tests of annteach.training (the optimiser, the schedule, the augmentation, the loop) and
of the command that trains the shipped CNN (annteach.tools.train_cnn)."""

import argparse
import json

import numpy as np
import pytest

import annteach as at
from annteach import training
from annteach.__main__ import main
from annteach.cnn import CNN
from annteach.cnn_files import default_model_path, load_cnn
from annteach.tools.train_cnn import DEFAULTS, configure_parser, default_out
from annteach.training import (
    QUICK,
    RECIPE,
    SCHEDULES,
    Adam,
    cosine_learning_rate,
    one_cycle_learning_rate,
    random_shifts,
    train,
    train_quick,
)

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


def test_adam_leaves_the_gradients_alone_and_follows_the_formula():
    rng = np.random.default_rng(4)
    params = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    expected = [P.copy() for P in params]
    m = [np.zeros_like(P) for P in params]
    v = [np.zeros_like(P) for P in params]
    opt = Adam(params, beta1=0.8, beta2=0.99, eps=1e-6)
    for t in range(1, 6):
        grads = [rng.standard_normal(P.shape) for P in params]
        saved = [G.copy() for G in grads]
        opt.step(grads, lr=0.01 * t)
        for P, G, G0, mi, vi in zip(expected, grads, saved, m, v):
            np.testing.assert_array_equal(G, G0)
            mi[:] = 0.8 * mi + 0.2 * G0
            vi[:] = 0.99 * vi + 0.01 * G0 ** 2
            P -= 0.01 * t * (mi / (1 - 0.8 ** t)) / (np.sqrt(vi / (1 - 0.99 ** t)) + 1e-6
                                                        * np.sqrt(1 / (1 - 0.99 ** t)))
    for P, E in zip(params, expected):
        np.testing.assert_allclose(P, E, rtol=1e-12, atol=1e-14)


def test_adam_keeps_float32_parameters_float32():
    P = np.ones(4, np.float32)
    Adam([P]).step([np.full(4, 0.5, np.float32)], lr=1e-3)
    assert P.dtype == np.float32
    np.testing.assert_allclose(P, 1 - 1e-3, rtol=1e-6)


def test_cosine_learning_rate_falls_from_lr_to_zero():
    rates = [cosine_learning_rate(0.1, step, 10) for step in range(11)]
    assert rates[0] == 0.1 and rates[5] == pytest.approx(0.05) and rates[10] == pytest.approx(0)
    assert all(a > b for a, b in zip(rates, rates[1:]))


def test_one_cycle_rises_to_lr_then_falls_to_a_hundredth():
    rates = [one_cycle_learning_rate(0.1, step, 100) for step in range(101)]
    assert rates[0] == pytest.approx(0.01) and rates[20] == pytest.approx(0.1)
    assert rates[100] == pytest.approx(0.001)
    assert all(a < b for a, b in zip(rates[:20], rates[1:21]))
    assert all(a > b for a, b in zip(rates[20:], rates[21:]))
    assert SCHEDULES == {"cosine": cosine_learning_rate, "one-cycle": one_cycle_learning_rate}


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
    # the same images as indexing every pixel, for the same draws
    rng = np.random.default_rng(1)
    dy, dx = rng.integers(0, 2 * s + 1, size=(2, len(idx)))
    rows = (dy[:, None] + np.arange(6))[:, :, None]
    cols = (dx[:, None] + np.arange(7))[:, None, :]
    np.testing.assert_array_equal(out[:, 0], padded[idx[:, None, None], rows, cols])


def test_training_lowers_the_loss_and_is_reproducible(few_digits):
    X, y = few_digits
    model = CNN(**SMALL, seed=0)
    before = model.loss(X[:, None], y)
    history = train(model, X, y, epochs=2, batch_size=32, lr=3e-3, seed=0, progress=False)
    assert model.loss(X[:, None], y) < 0.8 * before
    assert history[1]["loss"] < history[0]["loss"]
    assert set(history[0]) == {"epoch", "loss", "accuracy", "seconds", "cpu_seconds"}
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
    assert args.seed == DEFAULTS["seed"] and args.threads is None and not args.quick
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


# -- batches shared by worker threads, evaluations, the quick recipe ----------------

def _weights(model):
    return [P.copy() for P in model.params]


@pytest.mark.parametrize("make", [
    lambda: CNN(**SMALL, seed=0),
    lambda: at.MLP([784, 16, 10], hidden="tanh", output="softmax", loss="cross_entropy",
                   init="glorot", dtype=np.float32, seed=0),
])
def test_the_weights_do_not_depend_on_the_number_of_threads(few_digits, make):
    X, y = few_digits
    shape = None if isinstance(make(), CNN) else (784,)
    runs = []
    for workers in (1, 2, 3):
        model = make()
        train(model, X[:96], y[:96], epochs=1, batch_size=32, lr=3e-3, seed=0,
              input_shape=shape, workers=workers, parts=3, progress=False)
        runs.append(_weights(model))
    for other in runs[1:]:
        for a, b in zip(runs[0], other, strict=True):
            np.testing.assert_array_equal(a, b)


def test_a_batch_in_parts_has_the_gradient_of_the_whole_batch(few_digits):
    X, y = few_digits
    model = CNN(**SMALL, seed=0, dtype=np.float64)
    Xb, yb = X[:13, None].astype(np.float64), y[:13]
    E, grads, Y = model.gradients(Xb, yb, return_outputs=True)
    for parts in (2, 3, 13, 20):
        E2, grads2, Y2 = training._batch_gradients(model, Xb, yb, parts, pool=None)
        assert E2 == pytest.approx(E, rel=1e-12)
        np.testing.assert_allclose(Y2, Y, rtol=1e-12)
        for g, h in zip(grads, grads2, strict=True):
            np.testing.assert_allclose(h, g, rtol=1e-9, atol=1e-13)


def test_history_with_test_accuracy_and_callback(few_digits):
    X, y = few_digits
    model = CNN(**SMALL, seed=0)
    seen = []
    history = train(model, X[:200], y[:200], epochs=2, batch_size=32, lr=3e-3, seed=0,
                    schedule="one-cycle", test=(X[200:], y[200:]), evaluations_per_epoch=3,
                    callback=lambda h: seen.append(len(h)), progress=False)
    assert seen == [1, 2, 3, 4, 5, 6]
    assert [e["epoch"] for e in history] == pytest.approx([2 / 7, 4 / 7, 1, 9 / 7, 11 / 7, 2])
    assert set(history[0]) == {"epoch", "loss", "accuracy", "seconds", "cpu_seconds",
                                "test_accuracy"}
    assert history[-1]["test_accuracy"] == pytest.approx(
        at.model_accuracy(model, X[200:], y[200:]))
    assert all(a["seconds"] <= b["seconds"] for a, b in zip(history, history[1:]))
    assert all(0 <= a["cpu_seconds"] <= b["cpu_seconds"] for a, b in zip(history, history[1:]))


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"schedule": "linear"}, "schedule"), ({"parts": 0}, "parts"),
    ({"evaluations_per_epoch": 0}, "evaluations_per_epoch"), ({"workers": 0}, "workers"),
])
def test_train_rejects_bad_loop_settings(kwargs, match):
    images, labels = np.zeros((8, 28, 28), np.float32), np.zeros(8, np.int64)
    with pytest.raises(ValueError, match=match):
        train(CNN(conv_channels=(2, 2), hidden=None, seed=0), images, labels, epochs=1,
              batch_size=4, max_shift=0, progress=False, **kwargs)


def test_train_quick_trains_with_the_quick_recipe(monkeypatch):
    images, labels = at.load_mnist("train")
    X, y = at.scale(images[:640]), labels[:640].astype(np.int64)
    subsets = {"train": (images[:512], labels[:512]), "test": (images[512:640], labels[512:640])}
    monkeypatch.setattr("annteach.mnist.load_mnist", lambda split: subsets[split])
    lines = []
    model, history = train_quick(CNN(**SMALL, seed=0), plot=False,
                                 callback=lambda h: lines.append(h[-1]["epoch"]))
    assert [e["epoch"] for e in history] == [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2] == lines
    again = CNN(**SMALL, seed=0)
    train(again, X[:512], y[:512], **QUICK, progress=False)
    for a, b in zip(model.params, again.params, strict=True):
        np.testing.assert_array_equal(a, b)
    assert history[-1]["test_accuracy"] == pytest.approx(
        at.model_accuracy(model, X[512:], y[512:]))


def test_quick_takes_no_other_recipe_option():
    with pytest.raises(SystemExit, match="--quick is a fixed recipe.*epochs"):
        main(["train-cnn", "--quick", "--epochs", "3"])
    with pytest.raises(SystemExit, match="--limit"):
        main(["train-cnn", "--quick", "--limit", "100", "--out", "/nonexistent/never"])


# -- the fair comparison (annteach.comparison, python -m annteach compare) -----------

def test_comparison_models_are_lecture_7s():
    from annteach.comparison import INPUT_SHAPES, comparison_models

    models = comparison_models()
    assert list(models) == ["linear", "MLP", "CNN"] == list(INPUT_SHAPES)
    assert models["linear"].layer_sizes == [784, 10] and models["linear"].output == "softmax"
    assert models["MLP"].layer_sizes == [784, 100, 10] and models["MLP"].hidden == "tanh"
    assert [at.count_params(m) for m in models.values()] == [7850, 79510, 58106]
    assert all(m.params[0].dtype == np.float32 for m in models.values())


def test_measure_training_records_the_run(few_digits):
    from annteach.comparison import measure_training, weights_sha256

    X, y = few_digits
    recipe = {**RECIPE, "epochs": 1, "batch_size": 32}
    mlp = at.MLP([784, 10], output="softmax", loss="cross_entropy", init="glorot",
                 dtype=np.float32, seed=0)
    record = measure_training(mlp, X[:192], y[:192], X[192:], y[192:], recipe,
                              input_shape=(784,), workers=1, progress=False)
    assert record["training"] == {**recipe, "optimizer": "adam", "train_images": 192,
                                  "workers": 1}
    predictions = mlp.predict(X[192:].reshape(-1, 784))
    assert record["test_errors"] == int(np.sum(predictions != y[192:]))
    assert record["test_accuracy"] == pytest.approx(1 - record["test_errors"] / 64)
    assert record["n_params"] == 7850 and record["test_images"] == 64
    assert record["train_cpu_seconds"] >= 0 and len(record["load_average_1min"]) == 2
    assert 0 <= record["predict_seconds"] < 10 and len(record["history"]) == 1
    json.dumps(record)  # JSON-friendly
    cnn = CNN(**SMALL, seed=0)
    digest = weights_sha256(cnn)
    assert digest == weights_sha256(CNN(**SMALL, seed=0)) != weights_sha256(CNN(**SMALL, seed=1))


def test_compare_command_writes_a_record(tmp_path, capsys):
    out = tmp_path / "comparison.json"
    rc = main(["compare", "--out", str(out), "--limit", "128", "--models", "linear", "MLP",
               "--no-progress"])
    assert rc == 0
    record = at.load_comparison(out)
    assert list(record["models"]) == ["linear", "MLP"]
    assert record["recipe"] == RECIPE and record["command"] == "python -m annteach compare"
    assert record["models"]["MLP"]["training"]["train_images"] == 128
    assert record["models"]["MLP"]["input_shape"] == [784]
    assert "cores" in record["machine"] and "blas" in record["machine"]
    assert "linear" in capsys.readouterr().out


def test_a_partial_comparison_never_replaces_the_shipped_record():
    from annteach.comparison import COMPARISON_PATH

    before = COMPARISON_PATH.read_bytes()
    with pytest.raises(SystemExit, match="partial"):
        main(["compare", "--out", str(COMPARISON_PATH), "--limit", "10"])
    assert COMPARISON_PATH.read_bytes() == before


def test_load_comparison_names_a_missing_or_broken_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="annteach compare"):
        at.load_comparison(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ValueError, match="not valid JSON"):
        at.load_comparison(tmp_path / "bad.json")
    (tmp_path / "empty.json").write_text("{}")
    with pytest.raises(ValueError, match="models"):
        at.load_comparison(tmp_path / "empty.json")


def test_the_shipped_comparison_record_matches_the_shipped_cnn():
    record = at.load_comparison()
    shipped = json.loads(default_model_path().with_suffix(".json").read_text())
    assert record["recipe"] == RECIPE and record["command"] == "python -m annteach compare"
    assert list(record["models"]) == ["linear", "MLP", "CNN"]
    cnn = record["models"]["CNN"]
    assert cnn["same_as_shipped"] and cnn["weights_sha256"] == shipped["sha256"]
    assert cnn["test_accuracy"] == shipped["test_accuracy"]
    for name, result in record["models"].items():
        assert result["training"]["train_images"] == 60000 and result["test_images"] == 10000
        assert {k: result["training"][k] for k in RECIPE} == RECIPE, name
        assert result["test_errors"] == round((1 - result["test_accuracy"]) * 10000), name


def test_compare_without_shifts_records_its_recipe(tmp_path, capsys):
    out = tmp_path / "no_shift.json"
    rc = main(["compare", "--out", str(out), "--limit", "128", "--models", "linear",
               "--max-shift", "0", "--no-progress"])
    assert rc == 0
    record = at.load_comparison(out)
    assert record["recipe"] == {**RECIPE, "max_shift": 0}
    assert record["command"] == "python -m annteach compare --max-shift 0"
    assert record["models"]["linear"]["training"]["max_shift"] == 0
    assert "linear" in capsys.readouterr().out


@pytest.mark.parametrize("value, words", [("-1", "from 0 to 27"), ("28", "from 0 to 27"),
                                          ("1.5", "whole number"), ("two", "whole number")])
def test_compare_refuses_a_bad_max_shift(value, words, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--out", str(tmp_path / "x.json"), "--max-shift", value])
    assert words in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_a_shipped_record_is_replaced_only_with_its_own_shift():
    from annteach.comparison import COMPARISON_PATH, NO_SHIFT_PATH

    before = {path: path.read_bytes() for path in (COMPARISON_PATH, NO_SHIFT_PATH)}
    with pytest.raises(SystemExit, match="--max-shift 0, not 2"):
        main(["compare", "--out", str(NO_SHIFT_PATH)])
    with pytest.raises(SystemExit, match="--max-shift 2, not 0"):
        main(["compare", "--out", str(COMPARISON_PATH), "--max-shift", "0"])
    with pytest.raises(SystemExit, match="partial"):
        main(["compare", "--out", str(NO_SHIFT_PATH), "--max-shift", "0", "--limit", "10"])
    assert {path: path.read_bytes() for path in before} == before


def test_the_shipped_no_shift_record_is_the_same_comparison_without_shifts():
    record, shifted = at.load_comparison(shifts=False), at.load_comparison()
    assert record["recipe"] == {**RECIPE, "max_shift": 0}
    assert record["command"] == "python -m annteach compare --max-shift 0"
    assert list(record["models"]) == list(shifted["models"]) == ["linear", "MLP", "CNN"]
    for name, result in record["models"].items():
        assert result["training"]["train_images"] == 60000 and result["test_images"] == 10000
        assert result["training"]["max_shift"] == 0, name
        assert result["n_params"] == shifted["models"][name]["n_params"], name
        assert result["test_errors"] == round((1 - result["test_accuracy"]) * 10000), name
    assert not record["models"]["CNN"]["same_as_shipped"]


def test_load_comparison_takes_a_path_or_the_no_shift_switch(tmp_path):
    with pytest.raises(ValueError, match="not both"):
        at.load_comparison(tmp_path / "x.json", shifts=False)
    with pytest.raises(TypeError, match="True or False"):
        at.load_comparison(shifts="no")
