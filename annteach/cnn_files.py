"""Saving, loading and verifying a CNN's weights, and the CNN shipped with the package.

A model is stored as two files: ``NAME.npz`` holds the parameter arrays under
their names (``W1``, ``b1``, ... as in :attr:`annteach.CNN.param_names`; plain
arrays, loaded without pickle) and ``NAME.json`` beside it describes them: the
architecture, how the weights were trained, the test accuracy they reached and
the SHA-256 of the ``.npz``, which :func:`load_cnn` checks before trusting it.

The shipped model travels inside the package (``annteach/weights/cnn.npz`` and
``cnn.json``), so it works from a clone and from an installed wheel alike; its
recipe is ``python -m annteach train-cnn`` (:mod:`annteach.tools.train_cnn`).

Files are not trusted. :func:`load_cnn` reads the description (at most
:data:`MAX_JSON_BYTES`), checks the architecture's bounds
(:meth:`annteach.CNN.architecture_shapes`, at most :data:`annteach.cnn.MAX_PARAMS`
parameters) and from them the most the weights file may hold, checks its
SHA-256, then reads each array's dtype and shape from its ``.npy`` header and
only then its data (exactly the bytes that header declares); the network is
built last. Every failure is a :class:`ModelFileError` naming the file.

:func:`save_cnn` replaces a model so that a failure or a kill at any moment
leaves a model that loads: the old one until the new description is in place,
the new one after. The description is written last and is what switches: before
the new ``.npz`` is renamed over the old one, the old one gets a second name
``.NAME.npz.<first 16 hex digits of its SHA-256>.previous`` beside it, where
:func:`load_cnn` finds it when the ``.npz`` does not match the description; the
save removes it when it is done.
"""

import hashlib
import io
import json
import lzma
import math
import os
import re
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .cnn import CNN
from .files import read_regular, write_temporary
from .paths import PACKAGE_DIR

__all__ = ["MAX_JSON_BYTES", "MODEL_NAME", "ModelFileError", "default_model_path", "load_cnn",
           "load_pretrained_cnn", "save_cnn"]

#: File name of the shipped weights.
MODEL_NAME = "cnn.npz"

#: Largest model description (JSON) read: 1 MiB (the shipped one has 3 KB).
MAX_JSON_BYTES = 1 << 20

# The keys of the architecture in the JSON, as the CNN constructor takes them.
_ARCHITECTURE = ("conv_channels", "kernel_size", "paddings", "hidden", "n_classes", "input_shape")
_DTYPES = ("float32", "float64")
_NPY_HEADER_MAX = 10_000  # bytes of a .npy header (numpy's own default limit)
_PREVIOUS = re.compile(r"\.(?P<name>.+)\.(?P<sha>[0-9a-f]{16})\.previous")


def default_model_path():
    """The shipped weights, ``annteach/weights/cnn.npz`` inside the package."""
    return PACKAGE_DIR / "weights" / MODEL_NAME


class ModelFileError(ValueError):
    """A weights file (or its JSON description) is damaged or does not fit."""


def _json_path(path):
    return Path(path).with_suffix(".json")


def _previous_path(path, sha256):
    """The second name of a model's ``.npz`` while a save replaces it."""
    return path.with_name(f".{path.name}.{sha256[:16]}.previous")


def save_cnn(model, path, info=None):
    """Write the weights (``.npz``) and their description (``.json`` beside it).

    Both files are written in full under temporary names first; then the
    ``.npz`` and, last, the ``.json`` are renamed into place (see the module
    docstring), so that a failure or a kill at any point leaves a model that
    loads. Links at ``path`` or its ``.json`` are replaced, never written
    through.

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

    Raises
    ------
    ValueError
        If a weight is NaN or infinite, or the description is not valid JSON
        (a NaN or infinite number in ``info``); nothing is written then.
    """
    path = Path(path)
    jpath = _json_path(path)
    for name, W in model.weights.items():
        if not np.isfinite(W).all():
            raise ValueError(f"cannot save the model to {path}: its weights {name} hold NaN "
                             f"or infinite values")
    buffer = io.BytesIO()
    np.savez(buffer, **model.weights)
    blob = buffer.getvalue()
    meta = {"architecture": model.architecture(), "dtype": str(model.dtype),
            "n_params": model.n_params,
            "param_shapes": {name: list(s) for name, s in model.param_shapes().items()}}
    meta.update(info or {})
    meta["weights_file"] = path.name
    meta["sha256"] = hashlib.sha256(blob).hexdigest()
    try:
        text = json.dumps(meta, indent=2, allow_nan=False) + "\n"
    except ValueError as error:
        raise ValueError(f"cannot save the model to {path}: its description is not valid "
                         f"JSON ({error}; NaN and infinity have no JSON form)") from error
    path.parent.mkdir(parents=True, exist_ok=True)
    _keep_previous(path, jpath)
    new_npz = write_temporary(path, lambda f: f.write(blob))
    new_json = None
    replaced = False
    try:
        new_json = write_temporary(jpath, lambda f: f.write(text), text=True)
        os.replace(new_npz, path)
        replaced = True
        os.replace(new_json, jpath)  # the switch: from here on the new model loads
    except BaseException:
        for tmp in (new_npz, new_json):
            if tmp is not None:
                tmp.unlink(missing_ok=True)
        if replaced:  # put the old weights back under their own name
            _restore_previous(path, jpath)
        raise
    _remove_previous(path)
    return meta


def _keep_previous(path, jpath):
    """Give the weights the current description names a second name (see the module
    docstring), unless an interrupted save has already done so."""
    try:
        sha256 = _read_description(jpath)["sha256"]
    except (OSError, ModelFileError):
        return  # no model that loads: nothing to keep
    previous = _previous_path(path, sha256)
    if previous.exists() or not path.is_file():
        return
    try:
        os.link(path, previous)  # of the file itself when path is a link
    except OSError:  # a file system without hard links, or a link to another one

        def copy(f):
            with open(path, "rb") as source:
                shutil.copyfileobj(source, f)

        os.replace(write_temporary(previous, copy), previous)


def _restore_previous(path, jpath):
    try:
        previous = _previous_path(path, _read_description(jpath)["sha256"])
        if previous.is_file():
            os.replace(previous, path)
    except (OSError, ModelFileError):
        pass  # the loader still finds the previous weights under their second name


def _remove_previous(path):
    for other in path.parent.iterdir():
        match = _PREVIOUS.fullmatch(other.name)
        if match and match["name"] == path.name:
            other.unlink(missing_ok=True)


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
        (a ValueError) naming the file, if either is not a regular file or is
        too large; if the JSON is not valid JSON, lacks an entry or
        contradicts itself, or describes an impossible architecture, one with
        more than :data:`annteach.cnn.MAX_PARAMS` parameters, or a dtype other
        than float32 or float64; if the SHA-256 of the ``.npz`` differs from
        the recorded one; if the ``.npz`` is not a zip archive of exactly the
        parameters' ``.npy`` arrays, or an array is not floating point (of at
        most 64 bits), has the wrong shape, more or less data than its header
        declares, or a NaN or infinite value.
    """
    path = Path(path)
    jpath = _json_path(path)
    if not path.exists():
        raise _missing(path)
    meta = _read_description(jpath)
    architecture, dtype, shapes = _check_description(meta, jpath)
    blob = _read_weights(path, meta["sha256"], shapes, jpath)
    weights = _arrays(blob, path, shapes, np.dtype(dtype))
    model = CNN(**architecture, dtype=dtype)
    model.weights = weights
    model.info = meta
    return model


def _missing(path):
    return FileNotFoundError(f"model file {path} not found; train a model with "
                             f"`python -m annteach train-cnn`")


def _read_description(jpath):
    """The JSON description as a dict, read within bounds."""
    try:
        text = read_regular(jpath, MAX_JSON_BYTES, "model description")
    except FileNotFoundError:
        raise _missing(jpath) from None
    except ValueError as error:
        raise ModelFileError(f"model description {error}") from None

    def constant(name):
        raise ValueError(f"{name} is not JSON")

    try:
        meta = json.loads(text.decode("utf-8"), parse_constant=constant)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        reason = "nested too deeply" if isinstance(error, RecursionError) else error
        raise ModelFileError(f"model description {jpath} is not valid JSON: {reason}") from None
    if not isinstance(meta, dict):
        raise ModelFileError(f"model description {jpath} must be a JSON object, got "
                             f"{type(meta).__name__}")
    sha256 = meta.get("sha256")
    if not (isinstance(sha256, str) and re.fullmatch(r"[0-9a-f]{64}", sha256)):
        raise ModelFileError(f"model description {jpath}: 'sha256' must be 64 hexadecimal "
                             f"digits, got {str(sha256)[:80]!r}")
    return meta


def _check_description(meta, jpath):
    """The architecture, dtype and parameter shapes a description declares, checked."""
    architecture = meta.get("architecture")
    if not isinstance(architecture, dict) or sorted(architecture) != sorted(_ARCHITECTURE):
        keys = sorted(architecture) if isinstance(architecture, dict) else architecture
        raise ModelFileError(f"model description {jpath}: 'architecture' must have exactly "
                             f"the entries {list(_ARCHITECTURE)}, got {str(keys)[:200]}")
    for key in ("conv_channels", "paddings", "input_shape"):
        if not isinstance(architecture[key], list):
            raise ModelFileError(f"model description {jpath}: the architecture's {key} must "
                                 f"be a list, got {str(architecture[key])[:80]}")
    try:
        shapes = CNN.architecture_shapes(**architecture)
    except (ValueError, TypeError) as error:
        raise ModelFileError(f"model description {jpath}: the architecture is impossible: "
                             f"{error}") from None
    dtype = meta.get("dtype", "float32")
    if not (isinstance(dtype, str) and dtype in _DTYPES):
        raise ModelFileError(f"model description {jpath}: dtype must be one of {_DTYPES}, got "
                             f"{str(dtype)[:80]!r}")
    declared = meta.get("param_shapes", {name: list(s) for name, s in shapes.items()})
    if declared != {name: list(s) for name, s in shapes.items()}:
        raise ModelFileError(f"model description {jpath}: param_shapes {str(declared)[:200]} "
                             f"contradict the architecture, which has {shapes}")
    n_params = sum(math.prod(s) for s in shapes.values())
    if meta.get("n_params", n_params) != n_params:
        raise ModelFileError(f"model description {jpath}: n_params {meta['n_params']!r} "
                             f"contradicts the architecture, which has {n_params}")
    return architecture, dtype, shapes


def _weights_limit(shapes):
    """Most bytes a weights file of these parameters may have: float64 data, a .npy
    header per array and the zip archive's records (with a comment) around them."""
    n = sum(math.prod(s) for s in shapes.values())
    return 8 * n + len(shapes) * (_NPY_HEADER_MAX + 1024) + (1 << 16)


def _read_weights(path, sha256, shapes, jpath):
    """The bytes of the weights file whose SHA-256 the description records."""
    limit = _weights_limit(shapes)
    candidates = [path, _previous_path(path, sha256)]
    for candidate in candidates:
        try:
            blob = read_regular(candidate, limit, "weights file")
        except FileNotFoundError:
            if candidate is path:
                raise _missing(path) from None
            break
        except ValueError as error:
            raise ModelFileError(f"model file {error}") from None
        actual = hashlib.sha256(blob).hexdigest()
        if actual == sha256:
            return blob
        if candidate is path:
            first = actual
    raise ModelFileError(f"model file {path} is damaged or was changed: its SHA-256 is "
                         f"{first}, but {jpath.name} records {sha256}")


def _arrays(blob, path, shapes, dtype):
    """The arrays of an npz archive in memory, checked against ``shapes``, as ``dtype``."""
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            names = archive.namelist()
            expected = [f"{name}.npy" for name in shapes]
            if sorted(names) != sorted(expected):
                found = [n[:-4] if n.endswith(".npy") else n for n in names]
                raise ModelFileError(f"model file {path} holds arrays {sorted(found)}, "
                                     f"expected {list(shapes)}")
            return {name: _array(archive, path, name, shape, dtype)
                    for name, shape in shapes.items()}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, lzma.LZMAError, EOFError,
            OSError, ValueError, struct.error, NotImplementedError, RuntimeError) as error:
        # OSError: a broken bzip2 stream; RuntimeError: an encrypted member;
        # NotImplementedError: an unknown compression method
        raise ModelFileError(f"model file {path} is not a readable .npz (zip) archive of "
                             f"arrays: {error}") from None


def _array(archive, path, name, shape, dtype):
    """One array of the archive: its header checked before its data is read."""
    where = f"model file {path}: array {name}"
    with archive.open(f"{name}.npy") as member:
        try:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                header = np.lib.format.read_array_header_1_0(member, _NPY_HEADER_MAX)
            elif version == (2, 0):
                header = np.lib.format.read_array_header_2_0(member, _NPY_HEADER_MAX)
            else:
                raise ValueError(f"unsupported .npy format version {version}")
        except (ValueError, TypeError, SyntaxError) as error:
            raise ModelFileError(f"{where} has no valid .npy header: {error}") from None
        stored_shape, fortran_order, stored = header
        if stored.kind != "f" or stored.itemsize > 8:
            raise ModelFileError(f"{where} holds {stored} values; weights must be floating "
                                 f"point (float16, float32 or float64)")
        if stored_shape != shape:
            raise ModelFileError(f"{where} has shape {stored_shape}, but the architecture "
                                 f"needs {shape}")
        nbytes = stored.itemsize * math.prod(shape)
        data = member.read(nbytes + 1)
    if len(data) != nbytes:
        raise ModelFileError(f"{where}: its header declares {nbytes} bytes of data, the file "
                             f"holds {'more' if len(data) > nbytes else len(data)}")
    array = np.frombuffer(data, stored).reshape(shape, order="F" if fortran_order else "C")
    with np.errstate(over="ignore"):  # float64 beyond float32's range: inf, refused below
        array = np.array(array, dtype=dtype, order="C")
    if not np.isfinite(array).all():
        raise ModelFileError(f"{where} holds NaN or infinite values (as {dtype})")
    return array


def load_pretrained_cnn(path=None):
    """The CNN shipped with the package (see :func:`load_cnn`), 99.39 % on the MNIST test set.

    Parameters
    ----------
    path : str or Path, optional
        Another ``.npz`` file written by ``python -m annteach train-cnn``.

    Returns
    -------
    CNN
    """
    return load_cnn(default_model_path() if path is None else path)
