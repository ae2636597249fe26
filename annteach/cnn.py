"""A small LeNet-style convolutional network in numpy, written like the lecture's MLP.

The convolution blocks are the layer pairs of :mod:`annteach.conv`; the fully
connected layers on top are lecture 4's ``fprop``/``backprop`` (biases in the last
column of ``W``), the hidden ones with ReLU, the last one with softmax, trained
with the cross-entropy. The parameters have names (:attr:`CNN.param_names`):

======  =========================  =============================================
name    shape                      what
======  =========================  =============================================
``W1``  (F1, C, k, k)              filters of conv layer 1
``b1``  (F1,)                      its biases, one per filter
``W2``  (F2, F1, k, k)             filters of conv layer 2 (``b2`` its biases)
``W3``  (hidden, n_in + 1)         dense layer: row j = unit j, bias last
``W4``  (n_classes, hidden + 1)    output layer, bias last
======  =========================  =============================================

(with one conv layer the dense layers are ``W2``, ``W3``; without a hidden
layer there is one dense layer). Saving, loading and checking weights files is
:mod:`annteach.cnn_files`; the shipped model is :func:`annteach.load_pretrained_cnn`.

Two ways to compute a conv block, the same function: the lesson's three pairs
``conv_forward``, ``maxpool_forward``, ``relu_forward`` (used for the feature
maps, and everywhere with ``CNN(fused=False)``), and the fused pair
:func:`annteach.conv_block.conv_block_forward` / ``conv_block_backward``, about twice
as fast, which :meth:`CNN.gradients` and :meth:`CNN.predict_proba` use by
default. The fused pair reuses its large arrays from one call to the next
(a workspace per conv layer and per thread), so a training loop allocates no
large arrays per step; a model can still be used from several threads at once.
"""

import threading

import numpy as np

from . import conv, conv_block
from .activations import ACTIVATIONS, OUTPUT_ACTIVATIONS, identity_derivative
from .batches import map_batches
from .cnn_architecture import MAX_PARAMS, check_architecture, check_dtype
from .evaluation import count_params
from .layers import add_bias, backprop, fprop, remove_bias
from .losses import cross_entropy, one_hot

__all__ = ["CNN", "MAX_PARAMS"]

_relu, _relu_derivative = ACTIVATIONS["relu"]
_softmax = OUTPUT_ACTIVATIONS["softmax"][0]


class CNN:
    """A LeNet-style convolutional network for 28 x 28 digit images.

    Default architecture (the shipped model), 58,106 parameters::

        input                    1 x 28 x 28
        conv 5x5, 12            12 x 24 x 24     312 parameters (W1, b1)
        ReLU, max-pool 2x2      12 x 12 x 12
        conv 5x5, 24            24 x  8 x  8   7,224 parameters (W2, b2)
        ReLU, max-pool 2x2      24 x  4 x  4
        dense 384 -> 128, ReLU         128    49,280 parameters (W3)
        dense 128 -> 10, softmax        10     1,290 parameters (W4)

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
        Zero padding of each convolution layer, less than ``kernel_size``.
    hidden : int or None, optional
        Units of the hidden dense layer (None: none).
    n_classes : int, optional
        At least 2.
    input_shape : tuple of int, optional
        ``(C, H, W)`` of one image.
    seed : int or numpy.random.Generator, optional
        Source of the initial weights (He-normal, zero biases).
    dtype : dtype, optional
        float32 for training and inference, float64 for gradient checks.
    fused : bool, optional
        Compute each conv block with the fused pair of :mod:`annteach.conv`
        (default, about twice as fast) or with the three layer pairs of the
        lesson (``False``). Both give the same results up to rounding.

    Raises
    ------
    ValueError
        For an impossible architecture (no conv layer, a size below 1, fewer
        than two classes, a padding not less than the kernel, images too small
        for the layers, a dtype other than float32 or float64) or one with more
        than :data:`MAX_PARAMS` parameters; checked before anything is allocated.

    Attributes
    ----------
    weights : dict of str to ndarray
        The parameters by name, in the order of :attr:`param_names` (see the
        module docstring).
    """

    def __init__(self, conv_channels=(12, 24), kernel_size=5, paddings=(0, 0), hidden=128,
                 n_classes=10, input_shape=(1, 28, 28), seed=0, dtype=np.float32,
                 fused=True):
        found, self.shapes, self._param_shapes = check_architecture(
            conv_channels, kernel_size, paddings, hidden, n_classes, input_shape)
        vars(self).update(found)  # conv_channels, kernel_size, ... as ints and tuples
        self.dtype = check_dtype(dtype)
        self.fused = bool(fused)
        self._threads = threading.local()  # each thread's workspaces of the fused blocks
        rng = np.random.default_rng(seed)
        self.weights = {}
        for name, shape in self.param_shapes().items():
            if name.startswith("b"):
                P = np.zeros(shape)
            elif len(shape) == 4:  # filters: He-normal over the C k k inputs of a unit
                P = rng.standard_normal(shape) * np.sqrt(2.0 / np.prod(shape[1:]))
            else:  # dense: He-normal over the n_in inputs, then the bias column, 0
                n_out, n_in = shape[0], shape[1] - 1
                W = rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)
                P = np.hstack([W, np.zeros((n_out, 1))])
            self.weights[name] = P.astype(self.dtype)

    @staticmethod
    def architecture_shapes( conv_channels=(12, 24), kernel_size=5, paddings=(0, 0),
                            hidden=128, n_classes=10, input_shape=(1, 28, 28)):
        """The parameter shapes of an architecture, checked without building the network.

        Parameters
        ----------
        conv_channels, kernel_size, paddings, hidden, n_classes, input_shape
            As for :class:`CNN`.

        Returns
        -------
        dict of str to tuple of int
            What :meth:`param_shapes` of ``CNN(**architecture)`` gives.

        Raises
        ------
        ValueError
            As the constructor: for an impossible architecture, or one with more
            than :data:`MAX_PARAMS` parameters.
        """
        return check_architecture(conv_channels, kernel_size, paddings, hidden, n_classes,
                                  input_shape)[2]

    @property
    def dense_sizes(self):
        """Units of the dense layers, inputs first: ``[384, 128, 10]`` by default."""
        dense = list(self._param_shapes.values())[2 * len(self.conv_channels):]
        return [n_in - 1 for _, n_in in dense] + [dense[-1][0]]

    @property
    def param_names(self):
        """Names of the parameters in order: ``W1, b1`` per conv layer, then ``W`` per
        dense layer, numbered on (``["W1", "b1", "W2", "b2", "W3", "W4"]`` by default)."""
        return list(self._param_shapes)

    def architecture(self):
        """The constructor arguments as a JSON-friendly dict."""
        return {"conv_channels": list(self.conv_channels), "kernel_size": self.kernel_size,
                "paddings": list(self.paddings), "hidden": self.hidden,
                "n_classes": self.n_classes, "input_shape": list(self.input_shape)}

    def param_shapes(self):
        """Shape of every parameter, by name, in the order of :attr:`param_names`."""
        return dict(self._param_shapes)

    @property
    def params(self):
        """The parameter arrays in the order of :attr:`param_names` (the list is new,
        the arrays are the model's own: an optimiser updates them in place)."""
        return list(self.weights.values())

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
        size = {name: W.size for name, W in self.weights.items()}
        rows, k = [("input", "x".join(map(str, self.input_shape)), "")], self.kernel_size
        for i, (p, (co, pooled)) in enumerate(zip(self.paddings, self.shapes), start=1):
            rows.append((f"conv {k}x{k}, pad {p}", "x".join(map(str, co)),
                         f"{size[f'W{i}'] + size[f'b{i}']:,}"))
            rows.append(("ReLU + max-pool 2x2", "x".join(map(str, pooled)), "0"))
        sizes, first = self.dense_sizes, len(self.conv_channels) + 1
        for m, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            act = "softmax" if m == len(sizes) - 2 else "ReLU"
            rows.append((f"dense {n_in}->{n_out} + {act}", str(n_out),
                         f"{size[f'W{first + m}']:,}"))
        header = ("layer", "output shape", "parameters")
        widths = [max(len(r[c]) for r in rows + [header]) for c in range(3)]
        line = "-" * (sum(widths) + 4)

        def fmt(r):
            return f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}"

        total = f"total parameters: {self.n_params:,}"
        return "\n".join([fmt(header), line] + [fmt(r) for r in rows] + [line, total])

    def conv_filters(self, layer=0):
        """A copy of the filters of conv layer ``layer`` (0: ``W1``), shape (C_out, C_in, k, k)."""
        self._check_layer(layer)
        return self.weights[f"W{layer + 1}"].copy()

    def _check_layer(self, layer):
        if not 0 <= layer < len(self.conv_channels):
            raise ValueError(f"layer must be in [0, {len(self.conv_channels)}), got {layer}")

    # -- forward and backward -------------------------------------------------
    def _images(self, X):
        """``X`` as an (N, C, H, W) array of the model's dtype."""
        X = np.asarray(X)
        if not np.issubdtype(X.dtype, np.floating):
            raise ValueError(f"images must be floats scaled to [0, 1] (see annteach.scale), "
                             f"got dtype {X.dtype}")
        if X.size and not (X.min() >= 0 and X.max() <= 1):  # NaN fails both
            raise ValueError(f"images must be scaled to [0, 1] (annteach.scale divides grey "
                             f"values 0-255 by 255), got values in [{X.min()}, {X.max()}]")
        C, H, W = self.input_shape
        if X.ndim == 3 and X.shape[1:] == (H, W) and C == 1:
            X = X[:, None]
        elif X.ndim == 2 and X.shape[1] == C * H * W:
            X = X.reshape(-1, C, H, W)
        if X.ndim != 4 or X.shape[1:] != self.input_shape:
            raise ValueError(f"images must have shape (N, {C}, {H}, {W}), got {X.shape}")
        return X.astype(self.dtype, copy=False)

    def _named(self, params):
        """``params`` (a list in the order of :attr:`param_names`, or None) by name."""
        if params is None:
            return self.weights
        params, expected = list(params), self.param_shapes()
        if [tuple(np.shape(P)) for P in params] != list(expected.values()):
            raise ValueError(f"params must have shapes {list(expected.values())}, "
                             f"got {[tuple(np.shape(P)) for P in params]}")
        return dict(zip(expected, params))

    def __getstate__(self):  # copies and pickles leave the workspaces behind
        state = self.__dict__.copy()
        del state["_threads"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._threads = threading.local()

    def _workspaces(self):
        """The calling thread's buffers for the fused blocks: one dict per conv layer."""
        spaces = getattr(self._threads, "spaces", None)
        if spaces is None:
            spaces = self._threads.spaces = [{} for _ in self.conv_channels]
        return spaces

    def _forward(self, X, p, caches=None, maps=None):
        """Class probabilities (N, n_classes) of images ``X`` with parameters ``p`` by name.

        Puts every layer's cache into the dict ``caches`` (by the name of the
        layer's weights, and ``"flatten"``) and appends every conv layer's ReLU
        feature maps (before pooling) to the list ``maps``, when they are given.
        The conv blocks are computed by the fused pair unless ``self.fused`` is
        False or ``maps`` are asked for (only the lesson's pairs have them).
        """
        A, n_conv = X, len(self.conv_channels)
        fused = self.fused and maps is None
        spaces = self._workspaces() if fused else None
        for i in range(1, n_conv + 1):
            W, b, pad = p[f"W{i}"], p[f"b{i}"], self.paddings[i - 1]
            if fused:  # conv, max-pool and ReLU in one pass; its output lives in spaces[i - 1]
                A, cache = conv_block.conv_block_forward(A, W, b, pad, workspace=spaces[i - 1],
                                                   keep=caches is not None)
            else:      # the lesson's three pairs
                Z, conv_cache = conv.conv_forward(A, W, b, pad)
                if maps is not None:
                    maps.append(np.ascontiguousarray(_relu(Z)))
                A, pool_cache = conv.maxpool_forward(Z)
                A, relu_cache = conv.relu_forward(A)
                cache = (conv_cache, pool_cache, relu_cache)
            if caches is not None:
                caches[f"W{i}"] = cache
        A, flat_cache = conv.flatten_forward(A)  # a copy: A may live in a workspace
        if caches is not None:
            caches["flatten"] = flat_cache
            caches["fused"] = fused
        dense = self.param_names[2 * n_conv:]
        for name in dense:  # the lecture's layers: Y = g(X W^T), the bias entry last in X
            X_b = add_bias(A)
            A = fprop(p[name], X_b, _softmax if name == dense[-1] else _relu)
            if caches is not None:
                caches[name] = (X_b, A)
        return A

    def _backward(self, dA, caches, p):
        """Gradients by name, from the output delta ``dA`` back through ``caches``."""
        grads, n_conv = {}, len(self.conv_channels)
        g_derivative = identity_derivative  # softmax + cross-entropy: dA is the delta already
        for name in reversed(self.param_names[2 * n_conv:]):
            X_b, Y = caches[name]
            dEdX, grads[name] = backprop(p[name], X_b, g_derivative, Y, dA)
            dA, g_derivative = remove_bias(dEdX), _relu_derivative
        dA = conv.flatten_backward(dA, caches["flatten"])
        for i in range(n_conv, 0, -1):
            cache, first = caches[f"W{i}"], i == 1  # no input gradient for the images
            if caches["fused"]:
                dA, grads[f"W{i}"], grads[f"b{i}"] = conv_block.conv_block_backward(
                    dA, cache, input_gradient=not first)
            else:
                conv_cache, pool_cache, relu_cache = cache
                dA = conv.maxpool_backward(conv.relu_backward(dA, relu_cache), pool_cache)
                dA, grads[f"W{i}"], grads[f"b{i}"] = conv.conv_backward(
                    dA, conv_cache, input_gradient=not first)
        return grads

    def _targets(self, T, n):
        T = np.asarray(T)
        if T.ndim == 1 and np.issubdtype(T.dtype, np.integer):
            T = one_hot(T, self.n_classes, dtype=self.dtype)
        if T.shape != (n, self.n_classes):
            raise ValueError(f"T must be {n} integer labels or targets of shape "
                             f"({n}, {self.n_classes}), got {T.dtype} of shape {T.shape}")
        return T.astype(self.dtype, copy=False)

    def forward(self, X, params=None, maps=False):
        """Class probabilities of images, and optionally the feature maps on the way.

        Parameters
        ----------
        X : array_like, shape (N, C, H, W), (N, H, W) or (N, C H W)
            Images scaled to [0, 1].
        params : list of ndarray, optional
            Parameters to use instead of ``self.weights`` (in the order of
            :attr:`param_names`).
        maps : bool, optional
            Also return the feature maps of every conv layer (the conv blocks
            are then computed by the lesson's three layer pairs).

        Returns
        -------
        Y : ndarray, shape (N, n_classes)
            Softmax probabilities; each row sums to 1.
        maps : list of ndarray, only if ``maps``
            ``maps[l]``, shape (N, conv_channels[l], H_l, W_l): the activations
            of conv layer ``l`` after its ReLU, before pooling.
        """
        found = [] if maps else None
        Y = self._forward(self._images(X), self._named(params), maps=found)
        return (Y, found) if maps else Y

    def loss(self, X, T, params=None):
        """Cross-entropy of the predictions, mean over the N images.

        Parameters
        ----------
        X : array_like, shape (N, C, H, W)
            Scaled images.
        T : array_like, shape (N,) of int, or (N, n_classes)
            Labels or target distributions.
        params : list of ndarray, optional
            Parameters to use instead of ``self.weights``.

        Returns
        -------
        E : float
        """
        Y = self.forward(X, params)
        return cross_entropy(Y, self._targets(T, Y.shape[0]))

    def gradients(self, X, T, params=None, return_outputs=False):
        """Mean cross-entropy and its gradient with respect to every parameter.

        Parameters
        ----------
        X : array_like, shape (N, C, H, W)
        T : array_like, shape (N,) of int, or (N, n_classes)
        params : list of ndarray, optional
        return_outputs : bool, optional
            Also return the class probabilities (computed on the way).

        Returns
        -------
        E : float
            Mean over the N images (:meth:`loss`).
        grads : list of ndarray
            Gradients of that mean, in the order of :attr:`param_names`.
        Y : ndarray, shape (N, n_classes)
            The probabilities (:meth:`predict_proba`), only if ``return_outputs``.
        """
        p, caches = self._named(params), {}
        Y = self._forward(self._images(X), p, caches=caches)
        T = self._targets(T, Y.shape[0])
        grads = self._backward((Y - T) / Y.shape[0], caches, p)
        E = cross_entropy(Y, T)
        grads = [grads[name] for name in self.param_names]
        return (E, grads, Y) if return_outputs else (E, grads)

    def predict_proba(self, X, batch_size=500, workers=None):
        """Class probabilities, computed in batches (several at once on several cores).

        Parameters
        ----------
        X : array_like, shape (N, 1, 28, 28), (N, 28, 28) or a list of (1, 28, 28) images
            Images scaled to [0, 1].
        batch_size : int, optional
            Images per forward pass (bounds the memory used).
        workers : int, optional
            Batches computed at the same time (see :func:`annteach.batches.map_batches`);
            default one per core. The results do not depend on it.

        Returns
        -------
        Y : ndarray, shape (N, n_classes)
            Softmax probabilities; each row sums to 1.
        """
        X = self._images(X)
        return map_batches(lambda batch: self._forward(batch, self.weights), X,
                           (self.n_classes,), self.dtype, batch_size, workers)

    def predict(self, X, batch_size=500, workers=None):
        """Class labels: the most probable class of every image.

        Parameters as :meth:`predict_proba`.

        Returns
        -------
        ndarray of int64, shape (N,)
        """
        return self.predict_proba(X, batch_size, workers).argmax(axis=1)

    def feature_maps(self, X, layer=0):
        """Activations of conv layer ``layer`` after its ReLU, before pooling.

        Parameters
        ----------
        X : array_like, shape (N, C, H, W)
            Scaled images.
        layer : int, optional

        Returns
        -------
        ndarray, shape (N, conv_channels[layer], H_l, W_l)
            Entry ``layer`` of the maps of :meth:`forward`.
        """
        self._check_layer(layer)
        return self.forward(X, maps=True)[1][layer]
