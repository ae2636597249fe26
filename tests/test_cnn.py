"""Tests of annteach.cnn: the model, its gradients, and the shipped weights files."""

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import annteach as at
from annteach import conv
from annteach.cnn import (
    CNN,
    ModelFileError,
    default_model_path,
    load_cnn,
    load_pretrained_cnn,
    model_accuracy,
    save_cnn,
)
from annteach.gradcheck import check_gradient


def _tiny(dtype=np.float64, **kw):
    """A small model whose biases are random too (zero biases put ReLUs on their kink)."""
    args = {"conv_channels": (2, 3), "hidden": 5, "seed": 1, "dtype": dtype}
    args.update(kw)
    model = CNN(**args)
    rng = np.random.default_rng(99)
    for b in model.weights[1::2]:
        b += (0.1 * rng.standard_normal(b.shape)).astype(dtype)
    return model


def _images(n, seed=0, shape=(1, 28, 28)):
    return np.random.default_rng(seed).random((n, *shape))


# -- the model ---------------------------------------------------------------

def test_default_architecture_and_parameter_count():
    model = CNN()
    # conv 1->12 5x5, conv 12->24 5x5, dense 24*4*4 -> 128 -> 10, each with biases
    expected = (12 * 25 + 12) + (24 * 12 * 25 + 24) + (384 * 128 + 128) + (128 * 10 + 10)
    assert model.n_params == expected == 58106
    assert [W.shape for W in model.weights] == model.param_shapes()
    assert all(W.dtype == np.float32 for W in model.weights)


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
    P = model.predict(X)
    np.testing.assert_allclose(P.sum(axis=1), 1, rtol=1e-12)
    assert model.loss(X, labels) == pytest.approx(-np.mean(np.log(P[np.arange(4), labels])))
    E, grads = model.gradients(X, labels)
    assert E == pytest.approx(model.loss(X, labels))
    assert [g.shape for g in grads] == [W.shape for W in model.weights]


def test_predict_accepts_lists_and_missing_channel_axis():
    model = CNN(seed=3)
    X = _images(3, seed=5).astype(np.float32)
    P = model.predict(X)
    assert P.shape == (3, 10) and P.dtype == np.float32
    np.testing.assert_allclose(model.predict([X[1]]), P[1:2], rtol=1e-5)
    np.testing.assert_allclose(model.predict(X[:, 0]), P, rtol=1e-5)
    np.testing.assert_allclose(model.predict(X, batch_size=2), P, rtol=1e-5)
    ranking = model.predict([X[2]]).ravel().argsort()[::-1]
    assert ranking[0] == P[2].argmax()


def test_predict_in_parallel_batches_gives_the_same_probabilities():
    model = CNN(seed=4)
    X = _images(7, seed=8).astype(np.float32)
    serial = model.predict(X, batch_size=2, workers=1)
    np.testing.assert_allclose(model.predict(X, batch_size=2, workers=3), serial, rtol=1e-5)
    np.testing.assert_allclose(model.predict(X, batch_size=7), serial, rtol=1e-5)
    with pytest.raises(ValueError, match="batch_size"):
        model.predict(X, batch_size=0)


def test_predict_rejects_unscaled_and_misshaped_images():
    model = CNN()
    with pytest.raises(ValueError, match="scaled"):
        model.predict(np.zeros((1, 1, 28, 28), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\)"):
        model.predict(np.zeros((1, 1, 27, 28)))


def test_params_are_checked():
    model = _tiny()
    with pytest.raises(ValueError, match="params must have shapes"):
        model.loss(_images(1), np.array([0]), params=model.params[:-1])


def test_conv_filters_and_feature_maps():
    model = CNN(seed=2)
    F = model.conv_filters(0)
    assert F.shape == (12, 1, 5, 5)
    F[:] = 0
    assert np.any(model.weights[0] != 0)  # a copy
    X = _images(2, seed=6).astype(np.float32)
    maps = model.feature_maps(X, layer=0)
    expected = np.maximum(conv.conv_forward(X, model.weights[0], model.weights[1])[0], 0)
    np.testing.assert_allclose(maps, expected, rtol=1e-6)
    assert maps.shape == (2, 12, 24, 24) and maps.min() >= 0
    assert model.feature_maps(X, layer=1).shape == (2, 24, 8, 8)
    with pytest.raises(ValueError, match="layer"):
        model.feature_maps(X, layer=2)


def test_model_accuracy_counts_argmax_hits():
    class Fixed:
        def predict(self, X, batch_size=None):
            return np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])

    assert model_accuracy(Fixed(), np.zeros((4, 28, 28)), np.array([0, 1, 1, 1])) == 0.75
    with pytest.raises(ValueError, match="labels"):
        model_accuracy(Fixed(), np.zeros((4, 28, 28)), np.array([0, 1]))
    with pytest.raises(ValueError, match="integer class labels"):
        model_accuracy(Fixed(), np.zeros((4, 28, 28)), np.array([0.0, 1.0, 1.0, 1.0]))


def test_exported_from_the_package():
    assert at.CNN is CNN
    assert at.load_pretrained_cnn is load_pretrained_cnn
    assert at.model_accuracy is model_accuracy


# -- files ---------------------------------------------------------------------

def test_save_and_load_round_trip(tmp_path):
    model = _tiny(dtype=np.float32, seed=7)
    meta = save_cnn(model, tmp_path / "m.npz", {"note": "x"})
    loaded = load_cnn(tmp_path / "m.npz")
    assert loaded.architecture() == model.architecture()
    for a, b in zip(loaded.weights, model.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert loaded.info["note"] == "x" and loaded.info["sha256"] == meta["sha256"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.npz"]  # no temp files
    umask = os.umask(0)
    os.umask(umask)
    assert all(p.stat().st_mode & 0o777 == 0o666 & ~umask for p in tmp_path.iterdir())


def test_default_path_is_in_the_repository_not_the_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = default_model_path()
    assert path.is_absolute() and path.parent.name == "models"
    assert path.parent.parent.parent == Path(at.__file__).parent.parent


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


def test_wrong_array_shape_fails_the_shape_check(shipped_copy):
    with np.load(shipped_copy, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["p2"] = arrays["p2"][:, :, :4, :4].copy()  # conv2 filters 4x4 instead of 5x5
    np.savez(shipped_copy, **arrays)
    jpath = shipped_copy.with_suffix(".json")
    meta = json.loads(jpath.read_text())
    import hashlib
    meta["sha256"] = hashlib.sha256(shipped_copy.read_bytes()).hexdigest()
    jpath.write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match=r"cnn\.npz: array p2 has shape \(24, 12, 4, 4\)"):
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
    assert info["training"]["train_images"] == 60000
    for key in ("cores", "cpu", "numpy"):
        assert key in info["machine"]


def test_shipped_model_beats_the_lecture_on_the_test_set(shipped):
    images, labels = at.load_mnist("test")
    accuracy = model_accuracy(shipped, at.scale(images), labels)
    assert accuracy >= 0.9920
    assert accuracy == pytest.approx(shipped.info["test_accuracy"], abs=1e-4)
