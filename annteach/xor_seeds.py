"""Many 2-2-1 XOR networks trained at once, one per seed: how often does training work?

:func:`train_xor_seeds` trains ``at.MLP([2, 2, 1], hidden, "logistic", "sse",
seed=s)`` for every seed ``s`` with the update of :meth:`annteach.MLP.fit`,
but all networks in one stacked array computation: the weights of ``S``
networks are arrays of shape ``(S, 2, 3)`` and ``(S, 1, 3)``, and every step is
a few batched matrix products. Forty networks cost about as much as one.

The error is ``E = 1/2 sum_n (y_n - t_n)**2`` over the samples of a batch
(the ``"sse"`` loss of :class:`annteach.MLP`); the recorded loss is, like
``MLP.loss_history``, its mean per sample over an epoch.

A network *has learned XOR* when all four outputs lie on the correct side of
0.5 (``y > 0.5`` exactly for the targets 1).
"""

from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS, logistic, logistic_derivative
from .landscape import first_epoch_below
from .mlp import MLP
from .xor import xor_dataset

__all__ = ["XorSeedRuns", "train_xor_seeds"]


@dataclass(frozen=True)
class XorSeedRuns:
    """What :func:`train_xor_seeds` measured, one row per seed.

    Attributes
    ----------
    seeds : ndarray of int, shape (S,)
    W1 : ndarray, shape (S, epochs + 1, 2, 3)
        Hidden-layer weights (biases in the last column) before training
        (``W1[:, 0]``) and after every epoch (``W1[:, -1]``: the final ones).
    W2 : ndarray, shape (S, epochs + 1, 1, 3)
        Output-layer weights at the same moments.
    loss : ndarray, shape (S, epochs)
        Mean error per sample of every epoch, as ``MLP.loss_history``.
    outputs : ndarray, shape (S, epochs + 1, 4)
        Outputs ``y`` for the four samples at the same moments as ``W1``.
    """

    seeds: np.ndarray
    W1: np.ndarray
    W2: np.ndarray
    loss: np.ndarray
    outputs: np.ndarray

    @property
    def weight_norm(self):
        """ndarray, shape (S, epochs + 1): Euclidean norm of all nine weights."""
        return np.sqrt(np.sum(self.W1 ** 2, axis=(2, 3)) + np.sum(self.W2 ** 2, axis=(2, 3)))

    @property
    def learned(self):
        """ndarray of bool, shape (S, epochs + 1): all four outputs on the correct side of 0.5."""
        _, T = xor_dataset()
        return np.all((self.outputs > 0.5) == (T == 1), axis=-1)

    @property
    def learned_epoch(self):
        """ndarray of int, shape (S,): the first epoch after which XOR is learned, -1 if never."""
        return first_epoch_below(~self.learned, 0.5)

    @property
    def mean_error(self):
        """ndarray, shape (S, epochs + 1): the mean over the four samples of
        ``1/2 (y_n - t_n)**2`` at the same moments as ``W1``."""
        _, T = xor_dataset()
        return 0.5 * np.mean((self.outputs - T) ** 2, axis=-1)


def _forward(W1, W2, X1, g):
    """Outputs of S stacked networks on inputs ``X1`` (S, B, 3) (bias column included)."""
    Y1 = g(X1 @ W1.transpose(0, 2, 1))
    X2 = np.concatenate([Y1, np.ones(Y1.shape[:-1] + (1,))], axis=-1)
    return Y1, X2, logistic(X2 @ W2.transpose(0, 2, 1))


def train_xor_seeds(seeds, epochs=500, learning_rate=2.0, momentum=0.9, batch_size=None,
                    hidden="tanh", init="normal", init_scale=0.05):
    """Train the 2-2-1 XOR network from every seed, all at once.

    Run ``s`` is ``at.MLP([2, 2, 1], hidden=hidden, output="logistic",
    loss="sse", seed=s, init=init, init_scale=init_scale)`` trained by
    ``fit(X, T, epochs, batch_size, learning_rate, momentum)`` on
    :func:`annteach.xor_dataset`: the same initial weights, the same sample
    orders (drawn from the model's own generator) and the same update
    ``V = momentum * V - learning_rate * dEdW / B``, ``W = W + V``. The
    defaults are the settings of lecture 4 (full batch, 500 epochs).

    Parameters
    ----------
    seeds : sequence of int, length S
    epochs : int
    learning_rate, momentum : float
    batch_size : int, optional
        ``None`` for full-batch descent, 1 for stochastic descent.
    hidden : str
        Hidden activation, a key of :data:`annteach.ACTIVATIONS`.
    init : {"normal", "glorot", "he"}
    init_scale : float
        Standard deviation of the initial weights for ``init="normal"``.

    Returns
    -------
    XorSeedRuns
    """
    seeds = np.array(seeds, dtype=np.int64, ndmin=1)
    if seeds.ndim != 1 or seeds.size == 0:
        raise ValueError(f"seeds must be a non-empty 1-D sequence of ints, got shape {seeds.shape}")
    if int(epochs) != epochs or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs}")
    X, T = xor_dataset()
    n, epochs = X.shape[0], int(epochs)
    batch_size = n if batch_size is None else int(batch_size)
    if not 1 <= batch_size:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if learning_rate <= 0 or not 0 <= momentum < 1:
        raise ValueError(f"need learning_rate > 0 and 0 <= momentum < 1, "
                         f"got {learning_rate} and {momentum}")
    models = [MLP([2, 2, 1], hidden=hidden, output="logistic", loss="sse", seed=int(s),
                  init=init, init_scale=init_scale) for s in seeds]
    g, g_derivative = ACTIVATIONS[hidden]
    W1 = np.stack([m.weights[0] for m in models])
    W2 = np.stack([m.weights[1] for m in models])
    V1, V2 = np.zeros_like(W1), np.zeros_like(W2)
    X1 = np.hstack([X, np.ones((n, 1))])
    S = seeds.size
    loss = np.empty((S, epochs))
    outputs = np.empty((S, epochs + 1, n))
    W1s = np.empty((S, epochs + 1) + W1.shape[1:])
    W2s = np.empty((S, epochs + 1) + W2.shape[1:])

    full = np.broadcast_to(X1, (S, n, 3))
    full_batch = batch_size >= n
    if not full_batch:
        outputs[:, 0] = _forward(W1, W2, full, g)[2][..., 0]
    for e in range(epochs):
        if full_batch:
            batches = [(full, T[None, :, None])]
        else:
            order = np.stack([m.rng.permutation(n) for m in models])
            batches = [(X1[idx], T[idx][..., None])
                       for idx in np.split(order, range(batch_size, n, batch_size), axis=1)]
        total = np.zeros(S)
        W1s[:, e], W2s[:, e] = W1, W2
        for Xb, Tb in batches:                               # (S, B, 3), (S or 1, B, 1)
            Y1, X2, Y = _forward(W1, W2, Xb, g)
            if full_batch:
                outputs[:, e] = Y[..., 0]
            total += 0.5 * np.sum((Y - Tb) ** 2, axis=(1, 2))
            Delta2 = logistic_derivative(Y) * (Y - Tb)       # (S, B, 1)
            G2 = Delta2.transpose(0, 2, 1) @ X2              # (S, 1, 3)
            Delta1 = g_derivative(Y1) * (Delta2 @ W2)[..., :-1]
            G1 = Delta1.transpose(0, 2, 1) @ Xb              # (S, 2, 3)
            for W, V, G in ((W1, V1, G1), (W2, V2, G2)):
                V *= momentum
                G *= learning_rate / Xb.shape[1]
                V -= G
                W += V
        loss[:, e] = total / n
        if not full_batch:
            outputs[:, e + 1] = _forward(W1, W2, full, g)[2][..., 0]
    if full_batch:
        outputs[:, epochs] = _forward(W1, W2, full, g)[2][..., 0]
    W1s[:, epochs], W2s[:, epochs] = W1, W2
    return XorSeedRuns(seeds, W1s, W2s, loss, outputs)
