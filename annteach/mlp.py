"""A multi-layer perceptron built from the lecture's ``fprop``/``backprop``."""

import math

import numpy as np

from .activations import ACTIVATIONS, OUTPUT_ACTIVATIONS, identity_derivative
from .checks import check_finite_array, check_integer, check_real
from .layers import add_bias, backprop, fprop, remove_bias
from .losses import LOSSES, OUTPUTS_FOR_LOSS, one_hot

__all__ = ["MLP"]


class MLP:
    """A fully connected network trained by backpropagation.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer, inputs first: ``[2, 2, 1]`` is the lecture's XOR net.
    hidden : str, optional
        Activation of the hidden layers, a key of ``ACTIVATIONS``.
    output : {"identity", "logistic", "tanh", "relu", "softmax"}, optional
        Activation of the output layer, a key of ``OUTPUT_ACTIVATIONS``.
    loss : {"sse", "cross_entropy"}, optional
        A key of :data:`annteach.losses.LOSSES`, each a mean over the samples.
        ``"sse"``: ``E = 1/(2N) sum_n sum_j (y_nj - t_nj)**2``.
        ``"cross_entropy"``: ``E = -1/N sum_n sum_j t_nj log y_nj`` with a
        softmax output (or the two-class form with one logistic output); the
        output delta is then simply ``(Y - T) / N``.
    seed : int or numpy.random.Generator, optional
        Source of all randomness (initial weights and shuffling).
    init_scale : float, optional
        Standard deviation of the initial weights for ``init="normal"``
        (the lecture's ``randn * 0.05``); finite, at least 0.
    init : {"normal", "glorot", "he"}, optional
        ``"glorot"`` uses std ``sqrt(2 / (n_in + n_out))``, ``"he"`` uses
        ``sqrt(2 / n_in)``; biases start at 0 for both.
    dtype : dtype, optional
        float64 (default) or float32.

    Attributes
    ----------
    loss_function : str
        The ``loss`` the network was made with (``loss`` itself is the method
        that computes it).
    weights : list of ndarray
        ``weights[l]`` has shape ``(layer_sizes[l + 1], layer_sizes[l] + 1)``,
        biases in the last column.
    loss_history : list of float
        Mean error per sample of every epoch trained by :meth:`fit`.
    velocity : list of ndarray or None
        The momentum term ``V`` of each layer after the last :meth:`fit`.
    """

    def __init__(self, layer_sizes, hidden="tanh", output="identity", loss="sse",
                 seed=0, init_scale=0.05, init="normal", dtype=np.float64):
        sizes = [int(s) for s in layer_sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"layer_sizes needs at least two positive sizes, got {layer_sizes}")
        if hidden not in ACTIVATIONS:
            raise ValueError(f"unknown hidden activation {hidden!r}; "
                             f"choose from {sorted(ACTIVATIONS)}")
        if output not in OUTPUT_ACTIVATIONS:
            raise ValueError(f"unknown output activation {output!r}; "
                             f"choose from {sorted(OUTPUT_ACTIVATIONS)}")
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose from {sorted(LOSSES)}")
        if output not in OUTPUTS_FOR_LOSS[loss]:
            raise ValueError(f"output {output!r} does not go with loss {loss!r}; "
                             f"use one of {sorted(OUTPUTS_FOR_LOSS[loss])}")
        if output == "logistic" and loss == "cross_entropy" and sizes[-1] != 1:
            raise ValueError("a logistic output with cross_entropy needs exactly one output "
                             "unit; use softmax for several classes")
        init_scale = check_real("init_scale", init_scale, minimum=0)
        self.layer_sizes, self.hidden, self.output = sizes, hidden, output
        self.loss_function = loss
        self.dtype = np.dtype(dtype)
        self.rng = np.random.default_rng(seed)
        self.weights = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            if init == "normal":
                W = self.rng.standard_normal((n_out, n_in + 1)) * init_scale
            elif init in ("glorot", "he"):
                std = np.sqrt(2 / (n_in + n_out)) if init == "glorot" else np.sqrt(2 / n_in)
                W = self.rng.standard_normal((n_out, n_in + 1)) * std
                W[:, -1] = 0
            else:
                raise ValueError(f"unknown init {init!r}; choose normal, glorot or he")
            self.weights.append(W.astype(self.dtype))
        self.loss_history = []
        self.velocity = None

    # -- the gradient-check protocol -------------------------------------
    @property
    def params(self):
        """The weight matrices, in layer order (the list itself is a copy)."""
        return list(self.weights)

    def _activation(self, layer, params):
        """``(g, g_derivative)`` of layer ``layer`` (the last one has the output activation)."""
        if layer == len(params) - 1:
            return OUTPUT_ACTIVATIONS[self.output]
        return ACTIVATIONS[self.hidden]

    def forward(self, X, params=None):
        """Forward pass keeping every layer's input.

        Parameters
        ----------
        X : array_like, shape (N, layer_sizes[0])
        params : list of ndarray, optional
            Weights to use instead of ``self.weights``.

        Returns
        -------
        inputs : list of ndarray
            ``inputs[l]``, shape ``(N, layer_sizes[l] + 1)``: the input of
            layer ``l`` with its bias column.
        Y : ndarray, shape (N, layer_sizes[-1])
            The network output.
        """
        params = self.weights if params is None else params
        return self._forward_from(add_bias(self._inputs(X)), params)

    def _forward_from(self, X_b, params):
        """:meth:`forward` of inputs ``X_b`` that already end with the bias entry."""
        inputs = [X_b]
        for layer, W in enumerate(params):
            g, _ = self._activation(layer, params)
            Y = fprop(W, inputs[-1], g)
            if layer < len(params) - 1:
                inputs.append(add_bias(Y))
        return inputs, Y

    def _inputs(self, X):
        """``X`` as an (N, layer_sizes[0]) array of the model's dtype."""
        X = np.asarray(X)
        if X.dtype == np.uint8 and X.size and X.max() > 1:
            raise ValueError("X holds grey values 0-255 (uint8); scale them to [0, 1] first "
                             "(annteach.scale)")
        X = X.astype(self.dtype, copy=False)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"X must have shape (N, {self.layer_sizes[0]}), got {X.shape}")
        return X

    def _targets(self, T, n):
        T = np.asarray(T)
        if self.output == "softmax" and T.ndim == 1 and np.issubdtype(T.dtype, np.integer):
            T = one_hot(T, self.layer_sizes[-1])
        if T.ndim == 1 and self.layer_sizes[-1] == 1:
            T = T[:, None]
        expected = (n, self.layer_sizes[-1])
        if T.shape != expected:
            raise ValueError(f"T must have shape {expected}, got {T.shape}")
        return T.astype(self.dtype)

    def _error(self, Y, T):
        return LOSSES[self.loss_function](Y, T)

    def loss(self, X, T, params=None):
        """Error ``E``, the mean over the N samples (see the ``loss`` parameter).

        Parameters
        ----------
        X : array_like, shape (N, layer_sizes[0])
        T : array_like, shape (N, layer_sizes[-1]), or (N,) labels for a softmax output
        params : list of ndarray, optional
            Weights to use instead of ``self.weights``.

        Returns
        -------
        E : float
        """
        _, Y = self.forward(X, params)
        return self._error(Y, self._targets(T, Y.shape[0]))

    def _summed_gradients(self, X, T, params):
        """Outputs ``Y``, targets ``T`` (as arrays) and the gradients of the error
        *summed* over the samples (``N`` times those of the mean), by backprop."""
        inputs, Y = self.forward(X, params)
        T = self._targets(T, Y.shape[0])
        return Y, T, self._backward(inputs, Y, T, params)

    def _backward(self, inputs, Y, T, params):
        """Gradients of the error summed over the samples, from :meth:`forward`'s
        ``inputs`` and output ``Y`` and the targets ``T`` (an array like ``Y``)."""
        grads = [None] * len(params)
        if self.loss_function == "cross_entropy":
            # softmax (or logistic) with cross-entropy: the output delta is Y - T,
            # so the output layer's g' is taken as 1 and dE/dY as that delta.
            g_derivative, dEdY = identity_derivative, Y - T
        else:
            g_derivative, dEdY = self._activation(len(params) - 1, params)[1], Y - T
        for layer in range(len(params) - 1, 0, -1):
            dEdX, grads[layer] = backprop(params[layer], inputs[layer], g_derivative, Y, dEdY)
            Y = remove_bias(inputs[layer])  # output of the layer below
            dEdY = remove_bias(dEdX)
            g_derivative = ACTIVATIONS[self.hidden][1]
        # The first layer's input is the data: only dEdW is needed there, so the
        # product dEdX = Delta @ W (a third of the work of that layer) is skipped.
        Delta = g_derivative(Y) * dEdY
        grads[0] = Delta.T @ inputs[0]
        return grads

    def gradients(self, X, T, params=None, return_outputs=False):
        """Error and its gradient with respect to every weight matrix.

        Parameters
        ----------
        X : array_like, shape (N, layer_sizes[0])
        T : array_like, shape (N, layer_sizes[-1])
            Targets (for a softmax output, integer labels of shape (N,) work too).
        params : list of ndarray, optional
            Weights to use instead of ``self.weights``.
        return_outputs : bool, optional
            Also return the network outputs (computed on the way).

        Returns
        -------
        E : float
            The error, mean over the N samples (:meth:`loss`).
        dEdW : list of ndarray
            Gradients of that mean, shaped like the weights: the lecture's
            ``backprop`` sums over the samples, so these are its results
            divided by N.
        Y : ndarray, shape (N, layer_sizes[-1])
            The outputs (:meth:`predict_proba`), only if ``return_outputs``.
        """
        params = self.weights if params is None else params
        Y, T, grads = self._summed_gradients(X, T, params)
        for G in grads:
            G /= Y.shape[0]  # in place: G is ours
        E = self._error(Y, T)
        return (E, grads, Y) if return_outputs else (E, grads)

    def fit(self, X, T, epochs=100, batch_size=None, learning_rate=0.1, momentum=0.0,
            progress=True, keep_velocity=False):
        """Train by (mini-batch) gradient descent with momentum.

        Each step updates ``V = momentum * V - learning_rate * dEdW`` and
        ``W = W + V``, with ``dEdW`` the gradient of the mean error over the
        ``B`` samples of the batch (computed as backprop's sum times
        ``learning_rate / B``, one product). Samples are shuffled every epoch
        by the model's own generator.

        Parameters
        ----------
        X : array_like, shape (N, layer_sizes[0])
        T : array_like, shape (N, layer_sizes[-1]) or (N,)
        epochs : int
        batch_size : int, optional
            Samples per step; ``None`` for full-batch gradient descent,
            1 for stochastic gradient descent.
        learning_rate, momentum : float
        progress : bool
            Show a tqdm progress bar with the current loss.
        keep_velocity : bool
            Go on from the velocity ``V`` left by the previous call, for
            training in several calls (one epoch per button press, say); by
            default every call starts at rest.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Before any step: for no samples, NaN or infinite ``X`` or ``T``,
            grey values 0-255 (uint8) not scaled, epochs or batch_size that
            are not integers (or below 0 and 1), a learning_rate that is not
            finite and positive, a momentum outside [0, 1).
        FloatingPointError
            When the loss (or a weight) of an epoch becomes NaN or infinite; the
            weights go back to where that epoch started, and the epochs before
            it stay in ``loss_history``.
        """
        X = self._inputs(X)
        T = self._targets(T, X.shape[0])
        n = X.shape[0]
        if n == 0:
            raise ValueError("X has no samples (shape (0, ...)); there is nothing to fit")
        check_finite_array("X", X)
        check_finite_array("T", T)
        epochs = check_integer("epochs", epochs, 0)
        batch_size = n if batch_size is None else check_integer("batch_size", batch_size, 1)
        learning_rate = check_real("learning_rate", learning_rate, positive=True)
        momentum = check_real("momentum", momentum, minimum=0, below=1)
        from tqdm.auto import tqdm

        if not (keep_velocity and self.velocity is not None
                and [V.shape for V in self.velocity] == [W.shape for W in self.weights]):
            self.velocity = [np.zeros_like(W) for W in self.weights]
        velocity = self.velocity
        # Each batch is gathered straight into one reused array whose last column
        # is the bias entry 1 (what add_bias would give, without a copy per step).
        batch = np.empty((min(batch_size, n), X.shape[1] + 1), dtype=self.dtype)
        batch[:, -1] = 1
        bar = tqdm(range(epochs), disable=not progress, desc="epochs")
        for _ in bar:
            before = [W.copy() for W in self.weights]
            order = self.rng.permutation(n) if batch_size < n else np.arange(n)
            total = 0.0
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is checked below
                for start in range(0, n, batch_size):
                    idx = order[start:start + batch_size]
                    X_b, Tb = batch[:len(idx)], T[idx]
                    np.take(X, idx, axis=0, out=X_b[:, :-1], mode="clip")  # idx are in range
                    inputs, Y = self._forward_from(X_b, self.weights)
                    grads = self._backward(inputs, Y, Tb, self.weights)
                    total += self._error(Y, Tb) * len(idx)
                    for W, V, G in zip(self.weights, velocity, grads):
                        V *= momentum
                        G *= learning_rate / len(idx)  # in place: G is ours, fresh each step
                        V -= G
                        W += V
            if not (math.isfinite(total) and all(np.isfinite(W).all() for W in self.weights)):
                self._diverged(before, total / n, learning_rate, bar)
            self.loss_history.append(total / n)
            bar.set_postfix(loss=f"{total / n:.4g}")
        return self

    def _diverged(self, before, loss, learning_rate, bar):
        """Go back to the weights ``before`` the epoch that diverged, and say so."""
        for W, B in zip(self.weights, before):
            W[...] = B
        self.velocity = None
        bar.close()
        raise FloatingPointError(
            f"training diverged in epoch {len(self.loss_history) + 1}: the mean loss became "
            f"{loss:.4g} (or a weight NaN or infinite); the weights are back to where that "
            f"epoch started. Try a smaller learning_rate (it was {learning_rate:g})")

    def predict_proba(self, X):
        """Class probabilities: the network outputs.

        For a softmax output, row ``n`` holds the probability of each class
        (it sums to 1); for one logistic output, the probability of class 1.
        A network with another output activation (a regression network) gives
        its raw outputs.

        Parameters
        ----------
        X : array_like, shape (N, layer_sizes[0])

        Returns
        -------
        ndarray, shape (N, layer_sizes[-1])
        """
        return self.forward(X)[1]

    def predict(self, X):
        """Class labels: the most probable class for a softmax output, 0/1 for one
        logistic output (threshold 0.5). A regression network (another output
        activation) has no labels: it gives its outputs, as :meth:`predict_proba`.

        Parameters
        ----------
        X : array_like, shape (N, layer_sizes[0])

        Returns
        -------
        ndarray of int64, shape (N,) for classifiers; (N, layer_sizes[-1]) otherwise
        """
        Y = self.predict_proba(X)
        if self.output == "softmax":
            return Y.argmax(axis=1)
        if self.output == "logistic" and Y.shape[1] == 1:
            return (Y[:, 0] > 0.5).astype(np.int64)
        return Y
