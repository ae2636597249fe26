"""Saving, loading and verifying a CNN's weights, and the CNN shipped with the package.

A model is stored as two files: ``NAME.npz`` holds the parameter arrays under
their names (``W1``, ``b1``, ... as in :attr:`annteach.CNN.param_names`; plain
arrays, loaded without pickle) and ``NAME.json`` beside it describes them: the
architecture, how the weights were trained, the test accuracy they reached and
the SHA-256 of the ``.npz``, which :func:`load_cnn` checks before trusting it.

The shipped model travels inside the package (``annteach/weights/cnn.npz`` and
``cnn.json``), so it works from a clone and from an installed wheel alike; its
recipe is ``python -m annteach train-cnn`` (:mod:`annteach.tools.train_cnn`).
"""

import hashlib
import json
import zipfile
from pathlib import Path

import numpy as np

from .cnn import CNN
from .files import atomic_write
from .paths import PACKAGE_DIR

__all__ = ["MODEL_NAME", "ModelFileError", "default_model_path", "load_cnn",
           "load_pretrained_cnn", "save_cnn"]

#: File name of the shipped weights.
MODEL_NAME = "cnn.npz"


def default_model_path():
    """The shipped weights, ``annteach/weights/cnn.npz`` inside the package."""
    return PACKAGE_DIR / "weights" / MODEL_NAME


class ModelFileError(ValueError):
    """A weights file (or its JSON description) is damaged or does not fit."""


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _json_path(path):
    return Path(path).with_suffix(".json")


def save_cnn(model, path, info=None):
    """Write the weights (``.npz``) and their description (``.json`` beside it).

    Both files are written to a temporary file and renamed, so a crash never
    leaves half a file.

    Parameters
    ----------
    model : CNN
    path : str or Path
        The ``.npz`` file; the JSON goes to the same name with ``.json``.
    info : dict, optional
        More JSON-friendly entries (training settings, accuracy, machine...).

    Returns
    -------
    dict
        What was written to the JSON file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda f: np.savez(f, **model.weights))
    meta = {"architecture": model.architecture(), "dtype": str(model.dtype),
            "n_params": model.n_params,
            "param_shapes": {name: list(s) for name, s in model.param_shapes().items()}}
    meta.update(info or {})
    meta["weights_file"] = path.name
    meta["sha256"] = _sha256(path)
    text = json.dumps(meta, indent=2) + "\n"
    atomic_write(_json_path(path), lambda f: f.write(text), text=True)
    return meta


def load_cnn(path):
    """Load weights written by :func:`save_cnn`, verifying them first.

    Parameters
    ----------
    path : str or Path
        The ``.npz`` file, with its ``.json`` beside it.

    Returns
    -------
    model : CNN
        Its ``info`` attribute holds the JSON description.

    Raises
    ------
    FileNotFoundError
        If either file is missing.
    ModelFileError
        (a ValueError) If the JSON is unreadable, the SHA-256 of the ``.npz``
        differs from the recorded one, or an array is missing or has the
        wrong shape for the architecture; the message names the file.
    """
    path = Path(path)
    jpath = _json_path(path)
    hint = "train a model with `python -m annteach train-cnn`"
    for p in (path, jpath):
        if not p.is_file():
            raise FileNotFoundError(f"model file {p} not found; {hint}")
    try:
        meta = json.loads(jpath.read_text())
        arch, expected_hash = meta["architecture"], meta["sha256"]
        model = CNN(**arch, dtype=meta.get("dtype", "float32"))
    except (ValueError, KeyError, TypeError) as e:
        raise ModelFileError(f"model description {jpath} is unreadable or incomplete: "
                             f"{e}") from e
    actual = _sha256(path)
    if actual != expected_hash:
        raise ModelFileError(f"model file {path} is damaged or was changed: its SHA-256 is "
                             f"{actual}, but {jpath.name} records {expected_hash}")
    shapes = model.param_shapes()
    try:
        with np.load(path, allow_pickle=False) as data:
            if sorted(data.files) != sorted(shapes):
                raise ModelFileError(f"model file {path} holds arrays {sorted(data.files)}, "
                                     f"expected {list(shapes)}")
            weights = {name: data[name] for name in shapes}
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        if isinstance(e, ModelFileError):
            raise
        raise ModelFileError(f"model file {path} cannot be read as .npz: {e}") from e
    for name, shape in shapes.items():
        if weights[name].shape != shape:
            raise ModelFileError(f"model file {path}: array {name} has shape "
                                 f"{weights[name].shape}, but the architecture in "
                                 f"{jpath.name} needs {shape}")
    model.weights = {name: W.astype(model.dtype) for name, W in weights.items()}
    model.info = meta
    return model


def load_pretrained_cnn(path=None):
    """The CNN shipped with the package (see :func:`load_cnn`), 99.44 % on the MNIST test set.

    Parameters
    ----------
    path : str or Path, optional
        Another ``.npz`` file written by ``python -m annteach train-cnn``.

    Returns
    -------
    CNN
    """
    return load_cnn(default_model_path() if path is None else path)
