"""Tests of annteach.cnn and annteach.cnn_files: the model, its gradients, its weights files
and the shipped model."""

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import annteach as at
from annteach import conv
from annteach.cnn import CNN
from annteach.cnn_files import (
    ModelFileError,
    default_model_path,
    load_cnn,
    load_pretrained_cnn,
    save_cnn,
)
from annteach.evaluation import model_accuracy
from annteach.gradcheck import check_gradient
from annteach.training import RECIPE


def _tiny(dtype=np.float64, **kw):
    """A small model whose biases are random too (zero biases put ReLUs on their kink)."""
    args = {"conv_channels": (2, 3), "hidden": 5, "seed": 1, "dtype": dtype}
    args.update(kw)
    model = CNN(**args)
    rng = np.random.default_rng(99)
    for name, P in model.weights.items():
        if name.startswith("b"):
            P += (0.1 * rng.standard_normal(P.shape)).astype(dtype)
        elif P.ndim == 2:
            P[:, -1] += (0.1 * rng.standard_normal(P.shape[0])).astype(dtype)
    return model


def _images(n, seed=0, shape=(1, 28, 28)):
    return np.random.default_rng(seed).random((n, *shape))


# -- the model ---------------------------------------------------------------

def test_default_architecture_and_parameter_count():
    model = CNN()
    # conv 1->12 5x5, conv 12->24 5x5, dense 24*4*4 -> 128 -> 10, each with biases
    expected = (12 * 25 + 12) + (24 * 12 * 25 + 24) + (384 * 128 + 128) + (128 * 10 + 10)
    assert model.n_params == expected == 58106
    assert model.param_names == ["W1", "b1", "W2", "b2", "W3", "W4"]
    assert {name: W.shape for name, W in model.weights.items()} == model.param_shapes() == {
        "W1": (12, 1, 5, 5), "b1": (12,), "W2": (24, 12, 5, 5), "b2": (24,),
        "W3": (128, 385), "W4": (10, 129)}
    assert all(W.dtype == np.float32 for W in model.weights.values())
    assert [id(P) for P in model.params] == [id(W) for W in model.weights.values()]


def test_names_follow_the_layers():
    assert CNN(conv_channels=(4,), paddings=(0,), hidden=None).param_names == ["W1", "b1", "W2"]
    assert CNN(conv_channels=(4, 5, 6), paddings=(2, 2, 2), hidden=7).param_names == [
        "W1", "b1", "W2", "b2", "W3", "b3", "W4", "W5"]


def test_initial_weights_are_he_normal_with_zero_biases():
    model = CNN(seed=3, dtype=np.float64)
    rng = np.random.default_rng(3)
    expected = rng.standard_normal((12, 1, 5, 5)) * np.sqrt(2 / 25)
    np.testing.assert_allclose(model.weights["W1"], expected)
    assert not model.weights["b1"].any() and not model.weights["W3"][:, -1].any()
    assert np.std(model.weights["W3"][:, :-1]) == pytest.approx(np.sqrt(2 / 384), rel=0.05)


def test_dense_layers_are_the_lectures_fprop_with_the_bias_last():
    model = _tiny()
    X = _images(3, seed=9)
    W1, b1, W2, b2, W3, W4 = model.params
    A, _ = conv.conv_forward(X, W1, b1)
    A = np.maximum(conv.maxpool_forward(A)[0], 0)
    A = np.maximum(conv.maxpool_forward(conv.conv_forward(A, W2, b2)[0])[0], 0)
    H = np.maximum(A.reshape(3, -1) @ W3[:, :-1].T + W3[:, -1], 0)
    scores = H @ W4[:, :-1].T + W4[:, -1]
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict_proba(X), expected, rtol=1e-10)


def test_summary_is_a_deterministic_table():
    text = CNN().summary()
    assert text == CNN(seed=5).summary()
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "output", "shape", "parameters"]
    assert any("12x24x24" in ln and ln.rstrip().endswith("312") for ln in lines)
    assert any("24x4x4" in ln for ln in lines)
    assert lines[-1] == "total parameters: 58,106"


@pytest.mark.parametrize("kw", [{}, {"hidden": None}, {"paddings": (2, 1)}])
def test_whole_model_gradient_check(kw):
    model = _tiny(**kw)
    X = _images(2, seed=2)
    assert check_gradient(model, X, np.array([3, 8])) < 1e-6


def test_gradient_check_with_one_hot_targets_on_small_images():
    model = _tiny(input_shape=(2, 14, 14), kernel_size=3, conv_channels=(3, 2))
    X = _images(3, seed=3, shape=(2, 14, 14))
    assert check_gradient(model, X, np.eye(10)[[0, 4, 9]]) < 1e-6


def test_loss_is_mean_cross_entropy_of_predictions():
    model = _tiny()
    X, labels = _images(4, seed=4), np.array([0, 1, 2, 3])
    P = model.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1, rtol=1e-12)
    assert model.loss(X, labels) == pytest.approx(-np.mean(np.log(P[np.arange(4), labels])))
    E, grads = model.gradients(X, labels)
    assert E == pytest.approx(model.loss(X, labels))
    assert [g.shape for g in grads] == [W.shape for W in model.params]


def test_predict_proba_accepts_lists_and_missing_channel_axis():
    model = CNN(seed=3)
    X = _images(3, seed=5).astype(np.float32)
    P = model.predict_proba(X)
    assert P.shape == (3, 10) and P.dtype == np.float32
    np.testing.assert_allclose(model.predict_proba([X[1]]), P[1:2], rtol=1e-5)
    np.testing.assert_allclose(model.predict_proba(X[:, 0]), P, rtol=1e-5)
    np.testing.assert_allclose(model.predict_proba(X, batch_size=2), P, rtol=1e-5)
    ranking = model.predict_proba([X[2]]).ravel().argsort()[::-1]
    assert ranking[0] == P[2].argmax() == model.predict([X[2]])[0]


def test_predict_in_parallel_batches_gives_the_same_probabilities():
    model = CNN(seed=4)
    X = _images(7, seed=8).astype(np.float32)
    serial = model.predict_proba(X, batch_size=2, workers=1)
    np.testing.assert_allclose(model.predict_proba(X, batch_size=2, workers=3), serial,
                               rtol=1e-5)
    np.testing.assert_allclose(model.predict_proba(X, batch_size=7), serial, rtol=1e-5)
    np.testing.assert_array_equal(model.predict(X, batch_size=2, workers=3),
                                  serial.argmax(axis=1))
    with pytest.raises(ValueError, match="batch_size"):
        model.predict_proba(X, batch_size=0)


def test_predict_rejects_unscaled_and_misshaped_images():
    model = CNN()
    with pytest.raises(ValueError, match="scaled"):
        model.predict(np.zeros((1, 1, 28, 28), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\)"):
        model.predict(np.zeros((1, 1, 27, 28)))


@pytest.mark.parametrize("images", [
    np.full((2, 28, 28), 255.0),                      # grey values, not scaled
    np.linspace(0, 255, 2 * 784).reshape(2, 28, 28),
    np.full((1, 28, 28), -0.5),
    np.full((1, 28, 28), np.nan),
    np.full((1, 28, 28), np.inf),
])
def test_images_outside_0_1_are_refused(images):
    model = CNN(conv_channels=(2,), paddings=(0,), hidden=None)
    with pytest.raises(ValueError, match=r"scaled to \[0, 1\].*annteach\.scale"):
        model.predict(images)
    with pytest.raises(ValueError, match=r"scaled to \[0, 1\]"):
        model.gradients(images, np.zeros(len(images), np.int64))


def test_images_at_the_ends_of_0_1_are_fine():
    model = CNN(conv_channels=(2,), paddings=(0,), hidden=None)
    assert model.predict(np.stack([np.zeros((28, 28)), np.ones((28, 28))])).shape == (2,)
    assert model.predict(np.zeros((0, 28, 28))).shape == (0,)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"n_classes": 0}, "n_classes"),
    ({"n_classes": 1}, "n_classes"),
    ({"n_classes": 2.5}, "n_classes"),
    ({"hidden": -3}, "hidden"),
    ({"hidden": 0}, "hidden"),
    ({"conv_channels": (2.7, 3)}, "conv_channels"),
    ({"conv_channels": ()}, "conv"),
    ({"conv_channels": (0, 3)}, "conv_channels"),
    ({"kernel_size": 0}, "kernel_size"),
    ({"kernel_size": True}, "kernel_size"),
    ({"paddings": (-1, 0)}, "paddings"),
    ({"paddings": (5, 0)}, "paddings"),
    ({"paddings": (0,)}, "padding"),
    ({"input_shape": (28, 28)}, "input_shape"),
    ({"input_shape": (1, 0, 28)}, "input_shape"),
    ({"conv_channels": (4, 4, 4), "paddings": (0, 0, 0)}, "too small"),
    ({"dtype": np.int8}, "dtype"),
    ({"dtype": np.complex64}, "dtype"),
    ({"dtype": object}, "dtype"),
])
def test_impossible_architectures_are_refused(kwargs, words):
    with pytest.raises(ValueError, match=words):
        CNN(**kwargs)


@pytest.mark.parametrize("kwargs", [
    {"hidden": 10**6},
    {"hidden": 10**9},
    {"conv_channels": (12, 10**5)},
    {"input_shape": (1, 10**5, 10**5), "conv_channels": (1,), "paddings": (0,)},
    {"kernel_size": 10**4, "conv_channels": (1,), "paddings": (0,),
     "input_shape": (1, 10**4 + 1, 10**4 + 1)},
])
def test_huge_architectures_are_refused_before_allocating(kwargs):
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="parameters"):
            CNN(**kwargs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10**6


def test_the_largest_architecture_allowed():
    import math

    from annteach.cnn import MAX_PARAMS

    def count(**kw):
        return sum(math.prod(s) for s in CNN.architecture_shapes(**kw).values())

    assert count() == 58106 == CNN().n_params  # the default architecture, without building it
    small = {"conv_channels": (3, 5), "paddings": (2, 1), "hidden": 7, "n_classes": 4}
    assert count(**small) == CNN(**small).n_params
    # conv 12 (312 parameters), then one dense layer of 12 * 12 * 12 + 1 weights per class
    n_classes = (MAX_PARAMS - 312) // 1729
    kw = {"conv_channels": (12,), "paddings": (0,), "hidden": None, "n_classes": n_classes}
    assert count(**kw) == 312 + 1729 * n_classes <= MAX_PARAMS
    too_many = f"{312 + 1729 * (n_classes + 1):,} parameters"
    assert int(too_many.split()[0].replace(",", "")) > MAX_PARAMS
    with pytest.raises(ValueError, match=too_many):
        CNN(**kw | {"n_classes": n_classes + 1})
    with pytest.raises(ValueError, match=too_many):
        CNN.architecture_shapes(**kw | {"n_classes": n_classes + 1})


def test_params_are_checked():
    model = _tiny()
    with pytest.raises(ValueError, match="params must have shapes"):
        model.loss(_images(1), np.array([0]), params=model.params[:-1])


def test_conv_filters_and_feature_maps():
    model = CNN(seed=2)
    F = model.conv_filters(0)
    assert F.shape == (12, 1, 5, 5)
    F[:] = 0
    assert np.any(model.weights["W1"] != 0)  # a copy
    X = _images(2, seed=6).astype(np.float32)
    maps = model.feature_maps(X, layer=0)
    expected = np.maximum(conv.conv_forward(X, model.weights["W1"], model.weights["b1"])[0], 0)
    np.testing.assert_allclose(maps, expected, rtol=1e-6)
    assert maps.shape == (2, 12, 24, 24) and maps.min() >= 0
    pooled = np.maximum(conv.maxpool_forward(expected)[0], 0)
    second = conv.conv_forward(pooled, model.weights["W2"], model.weights["b2"])[0]
    np.testing.assert_allclose(model.feature_maps(X, layer=1), np.maximum(second, 0),
                               rtol=1e-5, atol=1e-6)
    Y, all_maps = model.forward(X, maps=True)  # the same forward pass gives both
    np.testing.assert_array_equal(all_maps[0], maps)
    plain = CNN(seed=2, fused=False)  # with maps, the blocks are the lesson's pairs
    np.testing.assert_array_equal(Y, plain.forward(X))
    np.testing.assert_allclose(Y, model.predict_proba(X), rtol=1e-5)
    with pytest.raises(ValueError, match="layer"):
        model.feature_maps(X, layer=2)


def test_model_accuracy_counts_label_hits():
    class Fixed:
        def predict(self, X):
            return np.array([0, 1, 0, 1])

    assert model_accuracy(Fixed(), np.zeros((4, 28, 28)), np.array([0, 1, 1, 1])) == 0.75
    with pytest.raises(ValueError, match="labels"):
        model_accuracy(Fixed(), np.zeros((4, 28, 28)), np.array([0, 1]))
    with pytest.raises(ValueError, match="integer class labels"):
        model_accuracy(Fixed(), np.zeros((4, 28, 28)), np.array([0.0, 1.0, 1.0, 1.0]))


# -- the fused conv blocks against the lesson's pairs ------------------------------

FUSED_CASES = [
    {},
    {"hidden": None},
    {"paddings": (2, 1)},
    {"conv_channels": (3,), "paddings": (1,)},
    {"conv_channels": (2, 3, 4), "paddings": (2, 2, 2), "input_shape": (1, 28, 28)},
    {"input_shape": (2, 15, 17), "kernel_size": 3, "conv_channels": (3, 2)},  # odd sizes
]


@pytest.mark.parametrize("kw", FUSED_CASES)
def test_fused_blocks_compute_the_lessons_pairs(kw):
    fused, plain = _tiny(**kw), _tiny(**kw, fused=False)
    assert fused.fused and not plain.fused
    X = _images(5, seed=12, shape=fused.input_shape)
    labels = np.array([0, 3, 9, 3, 1])
    for n in (5, 2, 5):  # workspaces made, remade for another batch size, reused
        E, grads, Y = fused.gradients(X[:n], labels[:n], return_outputs=True)
        E0, grads0, Y0 = plain.gradients(X[:n], labels[:n], return_outputs=True)
        assert E == pytest.approx(E0, rel=1e-12)
        np.testing.assert_allclose(Y, Y0, rtol=1e-12)
        for name, g, g0 in zip(fused.param_names, grads, grads0, strict=True):
            np.testing.assert_allclose(g, g0, rtol=1e-10, atol=1e-14, err_msg=name)
    np.testing.assert_allclose(fused.predict_proba(X, batch_size=2),
                               plain.predict_proba(X), rtol=1e-12)
    np.testing.assert_array_equal(fused.feature_maps(X, 0), plain.feature_maps(X, 0))


def test_fused_training_step_reuses_its_buffers():
    model = CNN(seed=0)
    X, labels = _images(8, seed=13).astype(np.float32), np.arange(8)
    model.gradients(X, labels)
    spaces = model._workspaces()
    before = [{name: id(buf) for name, buf in space.items()} for space in spaces]
    assert all(before)
    E, grads = model.gradients(X, labels)
    assert [{name: id(buf) for name, buf in space.items()} for space in spaces] == before
    E2, grads2 = model.gradients(X, labels)  # the results are new arrays, not the buffers
    assert E2 == E
    for g, g2 in zip(grads, grads2, strict=True):
        np.testing.assert_array_equal(g, g2)


def test_one_model_in_several_threads_at_once():
    from concurrent.futures import ThreadPoolExecutor

    model = CNN(seed=1)
    rng = np.random.default_rng(14)
    batches = [(rng.random((16, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, 16))
               for _ in range(6)]
    serial = [model.gradients(X, y) for X, y in batches]
    with ThreadPoolExecutor(3) as pool:
        parallel = list(pool.map(lambda b: model.gradients(*b), batches * 2))
    for (E, grads), (E2, grads2) in zip(serial * 2, parallel, strict=True):
        assert E2 == E
        for g, g2 in zip(grads, grads2, strict=True):
            np.testing.assert_array_equal(g, g2)


def test_copies_and_pickles_leave_the_buffers_behind():
    import copy
    import pickle

    model = CNN(seed=2)
    X = _images(3, seed=15).astype(np.float32)
    P = model.predict_proba(X)
    for twin in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert twin._workspaces() is not model._workspaces()
        np.testing.assert_array_equal(twin.predict_proba(X), P)


def test_exported_from_the_package():
    assert at.CNN is CNN
    assert at.load_pretrained_cnn is load_pretrained_cnn
    assert at.model_accuracy is model_accuracy
    assert at.save_cnn is save_cnn and at.load_cnn is load_cnn


# -- files ---------------------------------------------------------------------

def test_save_and_load_round_trip(tmp_path):
    model = _tiny(dtype=np.float32, seed=7)
    meta = save_cnn(model, tmp_path / "m.npz", {"note": "x"})
    loaded = load_cnn(tmp_path / "m.npz")
    assert loaded.architecture() == model.architecture()
    assert list(loaded.weights) == model.param_names
    for a, b in zip(loaded.params, model.params, strict=True):
        np.testing.assert_array_equal(a, b)
    with np.load(tmp_path / "m.npz", allow_pickle=False) as data:
        assert sorted(data.files) == sorted(model.param_names)  # stored by name
    assert loaded.info["note"] == "x" and loaded.info["sha256"] == meta["sha256"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.npz"]  # no temp files
    umask = os.umask(0)
    os.umask(umask)
    assert all(p.stat().st_mode & 0o777 == 0o666 & ~umask for p in tmp_path.iterdir())


def test_shipped_weights_are_inside_the_package_not_the_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = default_model_path()
    assert path.is_absolute() and path.is_file()
    assert path.parent == Path(at.__file__).resolve().parent / "weights"


@pytest.fixture
def shipped_copy(tmp_path):
    src = default_model_path()
    for suffix in (".npz", ".json"):
        shutil.copy(src.with_suffix(suffix), tmp_path / f"cnn{suffix}")
    return tmp_path / "cnn.npz"


def test_missing_file_is_a_clear_error(tmp_path, shipped_copy):
    with pytest.raises(FileNotFoundError, match="nothere.npz"):
        load_cnn(tmp_path / "nothere.npz")
    shipped_copy.with_suffix(".json").unlink()
    with pytest.raises(FileNotFoundError, match=r"cnn\.json"):
        load_cnn(shipped_copy)


def test_tampered_file_fails_the_hash_check(shipped_copy):
    data = bytearray(shipped_copy.read_bytes())
    data[len(data) // 2] ^= 0x01
    shipped_copy.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=r"cnn\.npz.*SHA-256"):
        load_cnn(shipped_copy)


def test_truncated_file_is_a_clear_error(shipped_copy):
    data = shipped_copy.read_bytes()
    shipped_copy.write_bytes(data[:len(data) // 3])
    with pytest.raises(ModelFileError, match=r"cnn\.npz"):
        load_cnn(shipped_copy)


def _rewrite(path, arrays):
    """Store other arrays in a weights file, with the SHA-256 in its JSON to match."""
    import hashlib

    np.savez(path, **arrays)
    jpath = path.with_suffix(".json")
    meta = json.loads(jpath.read_text())
    meta["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    jpath.write_text(json.dumps(meta))


def test_wrong_array_shape_fails_the_shape_check(shipped_copy):
    with np.load(shipped_copy, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["W2"] = arrays["W2"][:, :, :4, :4].copy()  # conv2 filters 4x4 instead of 5x5
    _rewrite(shipped_copy, arrays)
    with pytest.raises(ModelFileError, match=r"cnn\.npz: array W2 has shape \(24, 12, 4, 4\)"):
        load_cnn(shipped_copy)


def test_arrays_under_other_names_are_a_clear_error(shipped_copy):
    with np.load(shipped_copy, allow_pickle=False) as data:
        arrays = {f"p{i}": data[k] for i, k in enumerate(data.files)}  # unnamed, by position
    _rewrite(shipped_copy, arrays)
    with pytest.raises(ModelFileError, match=r"cnn\.npz holds arrays \['p0'.*expected \['W1'"):
        load_cnn(shipped_copy)


def test_broken_json_is_a_clear_error(shipped_copy):
    shipped_copy.with_suffix(".json").write_text("{not json")
    with pytest.raises(ModelFileError, match=r"cnn\.json"):
        load_cnn(shipped_copy)


# -- the shipped model -----------------------------------------------------------

@pytest.fixture(scope="module")
def shipped():
    return load_pretrained_cnn()


def test_shipped_model_is_verified_and_documented(shipped):
    info = shipped.info
    import hashlib
    assert info["sha256"] == hashlib.sha256(default_model_path().read_bytes()).hexdigest()
    assert info["architecture"] == CNN().architecture()
    assert info["command"] == "python -m annteach train-cnn"
    training = dict(info["training"])
    training.pop("workers")  # the weights do not depend on it
    assert training == {**RECIPE, "optimizer": "adam", "train_images": 60000}
    for key in ("cores", "cpu", "numpy", "blas"):
        assert key in info["machine"]
    assert info["param_shapes"]["W3"] == [128, 385]
    assert info["test_errors"] == round((1 - info["test_accuracy"]) * info["test_images"])


def test_shipped_model_beats_the_lecture_on_the_test_set(shipped):
    images, labels = at.load_mnist("test")
    accuracy = model_accuracy(shipped, at.scale(images), labels)
    assert accuracy >= 0.9920
    assert accuracy == pytest.approx(shipped.info["test_accuracy"], abs=1e-4)
