"""Comparing models fairly: the linear model, the MLP and the CNN trained the same way.

``python -m annteach compare`` (:mod:`annteach.tools.compare`) trains the three
models of lecture 7 (:func:`comparison_models`) on the same 60,000 MNIST
training images with the same recipe (:data:`annteach.training.RECIPE`, the
recipe of the shipped CNN: Adam, cosine learning-rate decay, batches of 128,
12 epochs, random shifts of up to 2 pixels, seed 0), evaluates them on the
10,000 test images and records the settings and the results
(:func:`measure_training`: accuracy, errors, parameters, training CPU and wall
time with the load average, prediction time) and the machine in a JSON file.
The comparison's CNN is trained exactly as ``python -m annteach train-cnn``
trains the shipped one; the record says whether its weights are the shipped
weights, byte for byte (SHA-256 of the ``.npz``).

The records shipped with the package, read by :func:`load_comparison`, are
what lecture 7 shows: ``annteach/results/comparison.json`` (the recipe as it
is) and ``annteach/results/comparison_no_shift.json`` (the same recipe without
the random shifts, ``python -m annteach compare --max-shift 0``).
"""

import hashlib
import io
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from .paths import PACKAGE_DIR
from .training import RECIPE, default_workers, train

__all__ = ["COMPARISON_PATH", "NO_SHIFT_PATH", "SHIPPED_RECORDS", "comparison_models",
           "compare_models", "load_comparison", "machine_description", "measure_training",
           "weights_sha256"]

#: The comparison record shipped with the package.
COMPARISON_PATH = PACKAGE_DIR / "results" / "comparison.json"

#: The shipped record of the same comparison without random shifts (``max_shift`` 0).
NO_SHIFT_PATH = PACKAGE_DIR / "results" / "comparison_no_shift.json"

#: The shipped records and the ``max_shift`` each was recorded with.
SHIPPED_RECORDS = {COMPARISON_PATH: RECIPE["max_shift"], NO_SHIFT_PATH: 0}

#: How each model takes an image: the MLPs a row of 784 pixels, the CNN a 1 x 28 x 28 image.
INPUT_SHAPES = {"linear": (784,), "MLP": (784,), "CNN": None}


def comparison_models(seed=RECIPE["seed"]):
    """The three models of lecture 7, untrained, by name.

    * ``"linear"``: softmax regression, ``MLP([784, 10], output="softmax",
      loss="cross_entropy")`` (7,850 parameters);
    * ``"MLP"``: lecture 5's network, 784-100-10 with tanh hidden units and a
      softmax output (79,510 parameters);
    * ``"CNN"``: the shipped CNN's architecture, ``CNN()`` (58,106 parameters).

    All in float32, the MLPs with Glorot initial weights (as lecture 7 makes
    them), the CNN with its He-normal ones, each from ``seed``.

    Returns
    -------
    dict of str to model
    """
    from .cnn import CNN
    from .mlp import MLP

    mlp = {"output": "softmax", "loss": "cross_entropy", "init": "glorot", "seed": seed,
           "dtype": np.float32}
    return {"linear": MLP([784, 10], **mlp),
            "MLP": MLP([784, 100, 10], hidden="tanh", **mlp),
            "CNN": CNN(seed=seed)}


def machine_description():
    """The machine a measurement ran on: cores, CPU model, Python, numpy, the BLAS."""
    from threadpoolctl import threadpool_info

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = [f"{i['internal_api']} {i.get('version')} ({i.get('architecture')})"
            for i in threadpool_info() if i["user_api"] == "blas"]
    return {"cores": os.cpu_count(), "cpu": cpu, "numpy": np.__version__,
            "python": platform.python_version(), "blas": ", ".join(blas),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE")}


def weights_sha256(model):
    """SHA-256 of the ``.npz`` file :func:`annteach.save_cnn` would write for ``model``.

    ``numpy.savez`` writes the same bytes for the same arrays, so equal hashes
    mean equal weights.
    """
    buffer = io.BytesIO()
    np.savez(buffer, **model.weights)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def measure_training(model, images, labels, test_images, test_labels, recipe=RECIPE,
                     input_shape=None, workers=None, progress=True):
    """Train ``model`` in place by :func:`annteach.training.train` and measure it.

    Parameters
    ----------
    model : MLP or CNN
    images, labels : ndarray, shapes (N, 28, 28) and (N,)
        Scaled training images and their labels.
    test_images, test_labels : ndarray, shapes (M, 28, 28) and (M,)
    recipe : dict, optional
        Settings of :func:`annteach.training.train` (``epochs``, ``batch_size``,
        ``lr``, ``schedule``, ``max_shift``, ``seed``).
    input_shape : tuple of int, optional
        How the model takes one image, ``(784,)`` for an MLP.
    workers : int, optional
        Threads sharing every batch (see :func:`annteach.training.train`).
    progress : bool, optional

    Returns
    -------
    dict
        ``training`` (the recipe, the optimiser, the number of images, the
        threads), ``history``, ``test_accuracy``, ``test_errors``,
        ``test_images``, ``n_params``, ``train_seconds`` (wall) and
        ``train_cpu_seconds`` (user + system time of all threads),
        ``load_average_1min`` (before and after training) and
        ``predict_seconds`` / ``predict_cpu_seconds`` (classifying the test
        images, the fastest of 3 calls).
    """
    from .evaluation import count_params

    labels, test_labels = np.asarray(labels, np.int64), np.asarray(test_labels, np.int64)
    load_before = os.getloadavg()[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    history = train(model, images, labels, **recipe, input_shape=input_shape,
                    progress=progress, workers=workers)
    train_seconds = time.perf_counter() - start
    train_cpu = time.process_time() - cpu_start
    load_after = os.getloadavg()[0]
    X_test = test_images if input_shape is None else test_images.reshape(
        len(test_images), *input_shape)
    best = (float("inf"), float("inf"))
    for _ in range(3):
        start, cpu_start = time.perf_counter(), time.process_time()
        predictions = model.predict(X_test)
        best = min(best, (time.perf_counter() - start, time.process_time() - cpu_start))
    errors = int(np.sum(predictions != test_labels))
    workers = default_workers() if workers is None else int(workers)
    return {"training": {**recipe, "optimizer": "adam", "train_images": int(len(images)),
                         "workers": workers},
            "history": [{k: round(v, 6) if isinstance(v, float) else v for k, v in e.items()}
                        for e in history],
            "test_accuracy": 1 - errors / len(test_labels), "test_errors": errors,
            "test_images": int(len(test_labels)), "n_params": count_params(model),
            "train_seconds": round(train_seconds, 1), "train_cpu_seconds": round(train_cpu, 1),
            "load_average_1min": [round(load_before, 2), round(load_after, 2)],
            "predict_seconds": round(best[0], 4), "predict_cpu_seconds": round(best[1], 4)}


def compare_models(recipe=RECIPE, limit=None, workers=None, progress=True, names=None):
    """Train and measure the models of :func:`comparison_models` one after the other.

    Parameters
    ----------
    recipe : dict, optional
        The one recipe all models are trained with.
    limit : int, optional
        Train on the first ``limit`` training images only (for quick tests).
    workers : int, optional
        Threads sharing every batch.
    progress : bool, optional
    names : sequence of str, optional
        Which models (default all three).

    Returns
    -------
    dict
        The record: ``recipe``, ``machine``, ``command`` and ``models`` (name
        -> :func:`measure_training`'s record, with ``input_shape``); for the
        CNN also ``weights_sha256`` and ``same_as_shipped``.
    """
    from .cnn_files import default_model_path
    from .mnist import load_mnist, scale

    images, labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    if limit is not None:
        images, labels = images[:int(limit)], labels[:int(limit)]
    images, test_images = scale(images), scale(test_images)
    models = comparison_models(recipe["seed"])
    record = {"recipe": dict(recipe), "machine": machine_description(), "models": {}}
    for name in (names or list(models)):
        model = models[name]
        if progress:
            print(f"{name}:", flush=True)
        result = measure_training(model, images, labels, test_images, test_labels, recipe,
                                  INPUT_SHAPES[name], workers, progress)
        result["input_shape"] = list(INPUT_SHAPES[name] or model.input_shape)
        if name == "CNN":
            result["weights_sha256"] = weights_sha256(model)
            shipped = json.loads(default_model_path().with_suffix(".json").read_text())
            result["shipped_sha256"] = shipped["sha256"]
            result["same_as_shipped"] = result["weights_sha256"] == shipped["sha256"]
        record["models"][name] = result
    return record


def load_comparison(path=None, shifts=True):
    """The comparison record: the JSON written by ``python -m annteach compare``.

    Parameters
    ----------
    path : str or Path, optional
        Another record; by default one shipped with the package.
    shifts : bool, optional
        Which shipped record, when ``path`` is not given: the recipe with its
        random shifts (:data:`COMPARISON_PATH`, the default) or without them
        (:data:`NO_SHIFT_PATH`).

    Returns
    -------
    dict
        See :func:`compare_models`; ``record["models"][name]["test_accuracy"]``
        and so on, for the names ``"linear"``, ``"MLP"`` and ``"CNN"``.
    """
    if not isinstance(shifts, bool):
        raise TypeError(f"shifts must be True or False, got {shifts!r}")
    if path is not None and not shifts:
        raise ValueError("give either a path or shifts=False (a shipped record), not both")
    if path is None:
        path = COMPARISON_PATH if shifts else NO_SHIFT_PATH
    path = Path(path)
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"comparison record {path} not found; write one with "
                                "`python -m annteach compare --out FILE`") from None
    except ValueError as error:
        raise ValueError(f"comparison record {path} is not valid JSON: {error}") from error
    if not isinstance(record, dict) or not isinstance(record.get("models"), dict):
        raise ValueError(f"comparison record {path} has no 'models' table")
    return record
