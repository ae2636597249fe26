"""A small LeNet-style convolutional network in numpy, and its shipped weights.

The model is built from the layer pairs of :mod:`annteach.conv`. Trained
weights live in ``data/models/cnn.npz`` (plain arrays, loaded without
pickle) with ``data/models/cnn.json`` beside them: the architecture, how the
weights were trained, the test accuracy they reached and the SHA-256 of the
``.npz``, which :func:`load_cnn` checks before trusting the file.
Train them again with ``python -m annteach train-cnn``.

Memory: every batch allocates a few large temporary arrays (the im2col
patch matrices). glibc's allocator hands such blocks back to the operating
system when they are freed, so the next batch page-faults them in again,
which here doubled the time of inference. Creating the first :class:`CNN`
therefore raises glibc's trim and mmap thresholds to 256 MB (``mallopt``;
Linux only), so that freed memory is reused by the process instead.
"""

import ctypes
import hashlib
import json
import os
import sys
import zipfile
from pathlib import Path

import numpy as np

from . import conv
from .activations import softmax
from .evaluation import accuracy, count_params
from .files import REPO_ROOT, atomic_write

__all__ = [
    "CNN",
    "ModelFileError",
    "default_model_path",
    "load_cnn",
    "load_pretrained_cnn",
    "model_accuracy",
    "save_cnn",
]

#: File name of the shipped weights in ``data/models/``.
MODEL_NAME = "cnn.npz"


def default_model_path():
    """``data/models/cnn.npz`` of the repository (found from the package, not the cwd)."""
    return REPO_ROOT / "data" / "models" / MODEL_NAME


_MALLOC_TUNED = []


def _reuse_freed_memory():
    """Let glibc keep up to 256 MB of freed memory for reuse (once per process)."""
    if _MALLOC_TUNED or not sys.platform.startswith("linux"):
        return
    _MALLOC_TUNED.append(True)
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    mallopt(M_TRIM_THRESHOLD, 256 << 20)
    mallopt(M_MMAP_THRESHOLD, 256 << 20)


class ModelFileError(ValueError):
    """A weights file (or its JSON description) is damaged or does not fit."""


class CNN:
    """A LeNet-style convolutional network for 28 x 28 digit images.

    Default architecture (the shipped model), 58,106 parameters::

        input                    1 x 28 x 28
        conv 5x5, 12            12 x 24 x 24     312 parameters
        ReLU, max-pool 2x2      12 x 12 x 12
        conv 5x5, 24            24 x  8 x  8   7,224 parameters
        ReLU, max-pool 2x2      24 x  4 x  4
        dense 384 -> 128, ReLU         128    49,280 parameters
        dense 128 -> 10, softmax        10     1,290 parameters

    Each convolution block is computed as conv, pool, ReLU: max-pooling and
    ReLU commute, so this is the same function as conv, ReLU, pool, with a
    quarter of the ReLU work.

    Parameters
    ----------
    conv_channels : sequence of int, optional
        Filters of each convolution layer.
    kernel_size : int, optional
        Side of the square filters.
    paddings : sequence of int, optional
        Zero padding of each convolution layer.
    hidden : int or None, optional
        Units of the hidden dense layer (None: none).
    n_classes : int, optional
    input_shape : tuple of int, optional
        ``(C, H, W)`` of one image.
    seed : int or numpy.random.Generator, optional
        Source of the initial weights (He-normal, zero biases).
    dtype : dtype, optional
        float32 for training and inference, float64 for gradient checks.

    Attributes
    ----------
    weights : list of ndarray
        ``[W1, b1, W2, b2, ...]``: conv filters ``(F, C, k, k)`` and biases
        ``(F,)``, then dense weights ``(n_out, n_in)`` and biases ``(n_out,)``.
    """

    def __init__(self, conv_channels=(12, 24), kernel_size=5, paddings=(0, 0), hidden=128,
                 n_classes=10, input_shape=(1, 28, 28), seed=0, dtype=np.float32):
        self.conv_channels = tuple(int(c) for c in conv_channels)
        self.paddings = tuple(int(p) for p in paddings)
        self.kernel_size = int(kernel_size)
        self.hidden = None if hidden is None else int(hidden)
        self.n_classes = int(n_classes)
        self.input_shape = tuple(int(s) for s in input_shape)
        self.dtype = np.dtype(dtype)
        if len(self.paddings) != len(self.conv_channels):
            raise ValueError(f"need one padding per conv layer: {len(self.conv_channels)} "
                             f"layers, {len(self.paddings)} paddings")
        if len(self.input_shape) != 3 or min(self.input_shape) < 1:
            raise ValueError(f"input_shape must be (C, H, W), got {input_shape}")
        if not self.conv_channels or min(self.conv_channels) < 1 or self.kernel_size < 1:
            raise ValueError("need at least one conv layer with positive channels and kernel")
        self.shapes = self._layer_shapes()
        _reuse_freed_memory()
        rng = np.random.default_rng(seed)
        self.weights = []
        for shape in self.param_shapes():
            if len(shape) == 1:
                self.weights.append(np.zeros(shape, dtype=self.dtype))
            else:
                fan_in = int(np.prod(shape[1:]))
                W = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
                self.weights.append(W.astype(self.dtype))

    # -- architecture ------------------------------------------------------
    def _layer_shapes(self):
        """Output shape (per image) of every conv block, checking they fit."""
        _, H, W = self.input_shape
        k, shapes = self.kernel_size, []
        for F, p in zip(self.conv_channels, self.paddings, strict=True):
            H, W = H + 2 * p - k + 1, W + 2 * p - k + 1
            if H < 2 or W < 2:
                raise ValueError(f"images of shape {self.input_shape} are too small for "
                                 f"{len(self.conv_channels)} conv layers of {k}x{k}")
            shapes.append(((F, H, W), (F, H // 2, W // 2)))
            H, W = H // 2, W // 2
        return shapes

    def architecture(self):
        """The constructor arguments as a JSON-friendly dict."""
        return {"conv_channels": list(self.conv_channels), "kernel_size": self.kernel_size,
                "paddings": list(self.paddings), "hidden": self.hidden,
                "n_classes": self.n_classes, "input_shape": list(self.input_shape)}

    def param_shapes(self):
        """Shapes of ``weights``, in order."""
        shapes, C, k = [], self.input_shape[0], self.kernel_size
        for F in self.conv_channels:
            shapes += [(F, C, k, k), (F,)]
            C = F
        n_in = int(np.prod(self.shapes[-1][1]))
        for n_out in ([self.hidden] if self.hidden else []) + [self.n_classes]:
            shapes += [(n_out, n_in), (n_out,)]
            n_in = n_out
        return shapes

    @property
    def n_params(self):
        """Total number of weights and biases (:func:`annteach.count_params`)."""
        return count_params(self)

    def summary(self):
        """A plain-text table of the layers, their output shapes and parameter counts.

        Returns
        -------
        str
        """
        rows = [("input", "x".join(map(str, self.input_shape)), "")]
        sizes = [W.size for W in self.weights]
        k = self.kernel_size
        for i, p in enumerate(self.paddings):
            (co, pooled) = self.shapes[i]
            rows.append((f"conv {k}x{k}, pad {p}", "x".join(map(str, co)),
                         f"{sizes[2 * i] + sizes[2 * i + 1]:,}"))
            rows.append(("ReLU + max-pool 2x2", "x".join(map(str, pooled)), "0"))
        j = 2 * len(self.conv_channels)
        n_in = int(np.prod(self.shapes[-1][1]))
        dense = ([self.hidden] if self.hidden else []) + [self.n_classes]
        for m, n_out in enumerate(dense):
            act = "softmax" if m == len(dense) - 1 else "ReLU"
            rows.append((f"dense {n_in}->{n_out} + {act}", str(n_out),
                         f"{sizes[j] + sizes[j + 1]:,}"))
            j, n_in = j + 2, n_out
        header = ("layer", "output shape", "parameters")
        widths = [max(len(r[c]) for r in rows + [header]) for c in range(3)]
        line = "-" * (sum(widths) + 4)

        def fmt(r):
            return f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}"

        total = f"total parameters: {self.n_params:,}"
        return "\n".join([fmt(header), line] + [fmt(r) for r in rows] + [line, total])

    def conv_filters(self, layer=0):
        """The filters of conv layer ``layer``, shape (C_out, C_in, k, k) (a copy)."""
        if not 0 <= layer < len(self.conv_channels):
            raise ValueError(f"layer must be in [0, {len(self.conv_channels)}), got {layer}")
        return self.weights[2 * layer].copy()

    # -- forward and backward -------------------------------------------------
    def _images(self, X):
        """``X`` as an (N, C, H, W) array of the model's dtype."""
        X = np.asarray(X)
        if not np.issubdtype(X.dtype, np.floating):
            raise ValueError(f"images must be floats scaled to [0, 1] (see annteach.scale), "
                             f"got dtype {X.dtype}")
        C, H, W = self.input_shape
        if X.ndim == 3 and X.shape[1:] == (H, W) and C == 1:
            X = X[:, None]
        elif X.ndim == 2 and X.shape[1] == C * H * W:
            X = X.reshape(-1, C, H, W)
        if X.ndim != 4 or X.shape[1:] != self.input_shape:
            raise ValueError(f"images must have shape (N, {C}, {H}, {W}), got {X.shape}")
        return X.astype(self.dtype, copy=False)

    def _check_params(self, params):
        params = self.weights if params is None else list(params)
        expected = self.param_shapes()
        if [tuple(P.shape) for P in params] != expected:
            raise ValueError(f"params must have shapes {expected}, "
                             f"got {[tuple(np.shape(P)) for P in params]}")
        return params

    def _forward(self, X, params, keep=True):
        """Class scores (N, n_classes) and the caches of every layer."""
        caches, A = [], X
        n_conv = len(self.conv_channels)
        for i in range(n_conv):
            A, c1 = conv.conv_forward(A, params[2 * i], params[2 * i + 1], self.paddings[i])
            A, c2 = conv.maxpool_forward(A)
            A, c3 = conv.relu_forward(A)
            if keep:
                caches.append((c1, c2, c3))
        A, cf = conv.flatten_forward(A)
        caches.append(cf)
        n_dense = len(params) // 2 - n_conv
        for m in range(n_dense):
            j = 2 * (n_conv + m)
            A, cd = conv.dense_forward(A, params[j], params[j + 1])
            cr = None
            if m < n_dense - 1:
                A, cr = conv.relu_forward(A)
            if keep:
                caches.append((cd, cr))
        return A, caches

    def _backward(self, dscores, caches, n_params):
        grads = [None] * n_params
        n_conv = len(self.conv_channels)
        n_dense = n_params // 2 - n_conv
        d = dscores
        for m in range(n_dense - 1, -1, -1):
            cd, cr = caches[n_conv + 1 + m]
            if cr is not None:
                d = conv.relu_backward(d, cr)
            j = 2 * (n_conv + m)
            d, grads[j], grads[j + 1] = conv.dense_backward(d, cd)
        d = conv.flatten_backward(d, caches[n_conv])
        for i in range(n_conv - 1, -1, -1):
            c1, c2, c3 = caches[i]
            d = conv.maxpool_backward(conv.relu_backward(d, c3), c2)
            d, grads[2 * i], grads[2 * i + 1] = conv.conv_backward(d, c1, input_gradient=i > 0)
        return grads

    def loss(self, X, T, params=None):
        """Mean cross-entropy over the N images.

        Parameters
        ----------
        X : array_like, shape (N, C, H, W)
            Scaled images.
        T : array_like, shape (N,) of int, or (N, n_classes)
            Labels or target distributions.
        params : list of ndarray, optional
            Weights to use instead of ``self.weights``.

        Returns
        -------
        E : float
        """
        scores, _ = self._forward(self._images(X), self._check_params(params), keep=False)
        return conv.softmax_cross_entropy_forward(scores, T)[0]

    def gradients(self, X, T, params=None):
        """Mean cross-entropy and its gradient with respect to every parameter.

        Parameters
        ----------
        X : array_like, shape (N, C, H, W)
        T : array_like, shape (N,) of int, or (N, n_classes)
        params : list of ndarray, optional

        Returns
        -------
        E : float
            Mean over the N images.
        grads : list of ndarray
            Shaped like ``weights``.
        """
        E, grads, _ = self.train_step(X, T, params)
        return E, grads

    def train_step(self, X, T, params=None):
        """Like :meth:`gradients`, also returning the class probabilities (N, n_classes)."""
        params = self._check_params(params)
        scores, caches = self._forward(self._images(X), params)
        E, cache = conv.softmax_cross_entropy_forward(scores, T)
        dscores = conv.softmax_cross_entropy_backward(1.0, cache)
        return E, self._backward(dscores, caches, len(params)), cache[0]

    @property
    def params(self):
        """The weight arrays, in order (the list itself is a copy)."""
        return list(self.weights)

    def predict(self, X, batch_size=250, workers=None):
        """Class probabilities.

        Parameters
        ----------
        X : array_like, shape (N, 1, 28, 28), (N, 28, 28) or a list of (1, 28, 28) images
            Images scaled to [0, 1].
        batch_size : int, optional
            Images per forward pass (bounds the memory used).
        workers : int, optional
            Batches computed at the same time, each in its own thread with a
            single-threaded BLAS (numpy releases the GIL in its copies and
            products, and one image batch per core beats splitting each small
            product over the cores). Default: one per core when
            ``threadpoolctl`` is installed, else 1. The results do not depend
            on it.

        Returns
        -------
        Y : ndarray, shape (N, n_classes)
            Softmax probabilities; each row sums to 1.
        """
        X = self._images(X)
        batch_size = int(batch_size)
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        out = np.empty((X.shape[0], self.n_classes), dtype=self.dtype)

        def fill(start):
            scores, _ = self._forward(X[start:start + batch_size], self.weights, keep=False)
            out[start:start + batch_size] = softmax(scores)

        starts = range(0, X.shape[0], batch_size)
        workers = min(len(starts), os.cpu_count() or 1) if workers is None else int(workers)
        limits = None
        if workers > 1:
            try:
                from threadpoolctl import threadpool_limits
                limits = threadpool_limits(limits=1, user_api="blas")
            except ImportError:
                workers = 1
        if workers <= 1:
            for start in starts:
                fill(start)
            return out
        from concurrent.futures import ThreadPoolExecutor

        with limits, ThreadPoolExecutor(workers) as pool:
            list(pool.map(fill, starts))
        return out

    def feature_maps(self, X, layer=0):
        """Activations after conv layer ``layer`` and its ReLU (before pooling).

        Parameters
        ----------
        X : array_like, shape (N, C, H, W)
            Scaled images.
        layer : int, optional

        Returns
        -------
        ndarray, shape (N, conv_channels[layer], H_l, W_l)
        """
        if not 0 <= layer < len(self.conv_channels):
            raise ValueError(f"layer must be in [0, {len(self.conv_channels)}), got {layer}")
        A = self._images(X)
        for i in range(layer + 1):
            A, _ = conv.conv_forward(A, self.weights[2 * i], self.weights[2 * i + 1],
                                     self.paddings[i])
            A, _ = conv.relu_forward(A)
            if i < layer:
                A, _ = conv.maxpool_forward(A)
        return np.ascontiguousarray(A)


def model_accuracy(model, X, labels, batch_size=250):
    """Fraction of images whose most probable class is the label.

    Parameters
    ----------
    model : CNN
        Anything with ``predict(X, batch_size=...)``.
    X : array_like, shape (N, 1, 28, 28) or (N, 28, 28)
        Scaled images.
    labels : array_like of int, shape (N,)
    batch_size : int, optional

    Returns
    -------
    float
    """
    labels = np.asarray(labels)
    P = model.predict(X, batch_size=batch_size)
    if labels.shape != (P.shape[0],):
        raise ValueError(f"labels must have shape ({P.shape[0]},), got {labels.shape}")
    return accuracy(labels, P.argmax(axis=1))


# -- files -----------------------------------------------------------------

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
    arrays = {f"p{i}": W for i, W in enumerate(model.weights)}
    atomic_write(path, lambda f: np.savez(f, **arrays))
    meta = {"architecture": model.architecture(), "dtype": str(model.dtype),
            "n_params": model.n_params,
            "param_shapes": [list(s) for s in model.param_shapes()]}
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
    hint = "train the model with `python -m annteach train-cnn`"
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
            if sorted(data.files) != sorted(f"p{i}" for i in range(len(shapes))):
                raise ModelFileError(f"model file {path} holds arrays {sorted(data.files)}, "
                                     f"expected p0..p{len(shapes) - 1}")
            weights = [data[f"p{i}"] for i in range(len(shapes))]
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        if isinstance(e, ModelFileError):
            raise
        raise ModelFileError(f"model file {path} cannot be read as .npz: {e}") from e
    for i, (W, shape) in enumerate(zip(weights, shapes, strict=True)):
        if W.shape != shape:
            raise ModelFileError(f"model file {path}: array p{i} has shape {W.shape}, but the "
                                 f"architecture in {jpath.name} needs {shape}")
    model.weights = [W.astype(model.dtype) for W in weights]
    model.info = meta
    return model


def load_pretrained_cnn(path=None):
    """The CNN shipped in ``data/models/cnn.npz`` (see :func:`load_cnn`).

    Parameters
    ----------
    path : str or Path, optional
        Another ``.npz`` file written by ``python -m annteach train-cnn``.

    Returns
    -------
    CNN
    """
    return load_cnn(default_model_path() if path is None else path)
