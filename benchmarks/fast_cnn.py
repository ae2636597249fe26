"""The fast CNN training step and training loop, as the benchmarks run them.

A prototype of what the package's CNN and its training loop are to do, kept
here so that the benchmark scripts beside it measure it; not imported by the
package. It contains:

* :class:`FastCNN`: the :class:`annteach.cnn.CNN` default architecture (two
  conv blocks and two dense layers) computed with the fused block pair
  :func:`annteach.conv.conv_block_forward` / :func:`annteach.conv.conv_block_backward`,
  one workspace per layer and thread (no large array is allocated per step),
  the dense layers in a (features, N) layout, and data parallelism: with
  ``workers=2`` a batch is split in two halves computed at the same time in
  two threads (each with a single-threaded BLAS; numpy releases the GIL in its
  products and elementwise loops) and their gradients averaged. It has the
  ``weights``, ``dtype`` and ``train_step`` of a CNN, so
  :func:`annteach.train_cnn.train` trains it as it is.
* :func:`shifted_batch`: the random-shift augmentation as one gather from a
  sliding-window view (ten times faster than fancy indexing of every pixel).
* :class:`AdamInPlace`: Adam without temporary arrays.
* :func:`one_cycle`: a one-cycle learning-rate schedule.
* :func:`train`: the training loop of the live-training recipe.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from threadpoolctl import threadpool_limits

from annteach import conv
from annteach.train_cnn import Adam


class FastCNN:
    """A :class:`~annteach.cnn.CNN` (default layer structure) trained through the fast path.

    Parameters
    ----------
    model : annteach.cnn.CNN
        Two conv blocks without padding and one hidden dense layer; its
        ``weights`` are used (and updated by an optimiser) in place.
    workers : int, optional
        Threads that share every batch (1: the calling thread only). With more
        than one, BLAS must run on one thread (``threadpoolctl``), as in
        :func:`train`: OpenBLAS serialises calls from several threads otherwise.
    """

    def __init__(self, model, workers=1):
        if len(model.conv_channels) != 2 or not model.hidden or any(model.paddings):
            raise ValueError("FastCNN computes two unpadded conv blocks and one hidden layer")
        self.model = model
        self.weights = model.weights
        self.dtype = model.dtype
        self.workers = int(workers)
        self._spaces = [([{}, {}]) for _ in range(self.workers)]
        self._pool = ThreadPoolExecutor(self.workers) if self.workers > 1 else None

    def close(self):
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    # -- one part of a batch, in one thread -----------------------------------
    def _forward(self, X, spaces, keep=True):
        W1, b1, W2, b2, W3, b3, W4, b4 = self.weights
        N = X.shape[0]
        A1, c1 = conv.conv_block_forward(X, W1, b1, workspace=spaces[0], keep=keep)
        A2, c2 = conv.conv_block_forward(A1, W2, b2, workspace=spaces[1], keep=keep)
        F = np.ascontiguousarray(A2.transpose(1, 2, 3, 0)).reshape(-1, N)   # (384, N)
        H = W3 @ F
        H += b3[:, None]
        np.maximum(H, 0, out=H)
        S = W4 @ H
        S += b4[:, None]
        return S, (c1, c2, A2.shape, F, H)

    def _part_step(self, X, labels, spaces):
        """Mean loss, gradients and probabilities (n, K) of one part of a batch."""
        W1, b1, W2, b2, W3, b3, W4, b4 = self.weights
        N = X.shape[0]
        S, (c1, c2, shape2, F, H) = self._forward(X, spaces)
        S -= S.max(axis=0)                       # softmax over the classes (axis 0)
        np.exp(S, out=S)
        S /= S.sum(axis=0)
        n = np.arange(N)
        E = -float(np.log(S[labels, n]).sum()) / N
        dS = S.copy()
        dS[labels, n] -= 1
        dS /= N
        dW4, db4 = dS @ H.T, dS.sum(axis=1)
        dH = W4.T @ dS
        dH *= H > 0
        dW3, db3 = dH @ F.T, dH.sum(axis=1)
        dA2 = (W3.T @ dH).reshape(shape2[1:] + (N,)).transpose(3, 0, 1, 2)
        dA1, dW2, db2 = conv.conv_block_backward(dA2, c2)
        _, dW1, db1 = conv.conv_block_backward(dA1, c1, input_gradient=False)
        return E, [dW1, db1, dW2, db2, dW3, db3, dW4, db4], S.T

    # -- the CNN interface ----------------------------------------------------
    def train_step(self, X, T):
        """Mean cross-entropy, its gradients and the probabilities, as ``CNN.train_step``.

        Parameters
        ----------
        X : ndarray, shape (N, 1, 28, 28), float32
        T : ndarray of int, shape (N,)
        """
        X = np.asarray(X, dtype=self.dtype)
        T = np.asarray(T)
        if self._pool is None or len(X) < 2 * self.workers:
            return self._part_step(X, T, self._spaces[0])
        parts = np.array_split(np.arange(len(X)), self.workers)
        futures = [self._pool.submit(self._part_step, X[p[0]:p[-1] + 1], T[p[0]:p[-1] + 1], s)
                   for p, s in zip(parts, self._spaces)]
        results = [f.result() for f in futures]
        weights = [len(p) / len(X) for p in parts]
        E = sum(w * r[0] for w, r in zip(weights, results))
        grads = [g * weights[0] for g in results[0][1]]
        for w, r in zip(weights[1:], results[1:]):
            for g, h in zip(grads, r[1]):
                g += w * h
        return E, grads, np.concatenate([r[2] for r in results])

    def predict_scores(self, X, batch_size=500):
        """Class scores (N, K) of images (N, [1,] 28, 28); the workers share the batches."""
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim == 3:
            X = X[:, None]
        out = np.empty((len(X), self.model.n_classes), self.dtype)
        starts = list(range(0, len(X), batch_size))

        def run(worker):
            spaces = self._spaces[worker]
            for s in starts[worker::self.workers]:
                out[s:s + batch_size] = self._forward(X[s:s + batch_size], spaces, keep=False)[0].T

        if self._pool is None:
            run(0)
        else:
            for f in [self._pool.submit(run, w) for w in range(self.workers)]:
                f.result()
        return out

    def accuracy(self, X, labels):
        return float(np.mean(self.predict_scores(X).argmax(axis=1) == labels))


# -- the training loop of the recipe ----------------------------------------------

def shift_windows(images, max_shift):
    """Every image at every shift, a view (N, 2s + 1, 2s + 1, H, W) of one padded stack."""
    s = int(max_shift)
    padded = np.pad(images, ((0, 0), (s, s), (s, s)))
    return sliding_window_view(padded, images.shape[1:], axis=(1, 2))


def shifted_batch(windows, idx, rng):
    """Images ``idx``, each shifted by a random offset: (B, 1, H, W), one gather."""
    n_offsets = windows.shape[1]
    dy, dx = rng.integers(0, n_offsets, size=(2, len(idx)))
    return windows[idx, dy, dx][:, None]


class AdamInPlace(Adam):
    """:class:`annteach.train_cnn.Adam` without temporary arrays; overwrites the gradients."""

    def step(self, grads, lr):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        scale = lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        for P, G, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * G
            v *= b2
            np.square(G, out=G)
            G *= 1 - b2
            v += G
            np.sqrt(v, out=G)
            G += self.eps
            np.divide(m, G, out=G)
            G *= scale
            P -= G


def one_cycle(step, total, lr_max, warmup=0.2, start_div=10.0, end_div=100.0):
    """Learning rate of a one-cycle schedule at ``step`` of ``total``.

    A linear rise from ``lr_max / start_div`` to ``lr_max`` over the first
    ``warmup`` fraction of the steps, then a cosine decay to ``lr_max / end_div``.
    """
    t = step / max(1, total)
    if t < warmup:
        return lr_max * (1 / start_div + (1 - 1 / start_div) * t / warmup)
    p = (t - warmup) / (1 - warmup)
    low = lr_max / end_div
    return low + (lr_max - low) * 0.5 * (1 + np.cos(np.pi * p))


def train(net, images, labels, epochs, batch_size, lr, max_shift=2, seed=0, warmup=0.2,
          evaluate_every=None, evaluate=None, target=None, on_evaluate=None):
    """Train ``net`` (a :class:`FastCNN`) with Adam, a one-cycle schedule and random shifts.

    Parameters
    ----------
    net : FastCNN
    images : ndarray, shape (N, 28, 28), float32 scaled
    labels : ndarray of int, shape (N,)
    epochs, batch_size : int
    lr : float
        Peak learning rate of :func:`one_cycle`.
    max_shift : int
    seed : int
        Seed of the shuffling and the shifts.
    evaluate_every : int, optional
        Steps between calls of ``evaluate(net)`` (default: once per epoch).
    evaluate : callable, optional
        Returns the test accuracy.
    target : float, optional
        Stop at the first evaluation that reaches this accuracy.
    on_evaluate : callable, optional
        Called with each history entry (a live plot, a log line).

    Returns
    -------
    history : list of dict
        ``seconds`` (wall time since the start, evaluation included), ``step``,
        ``epoch`` (fractional), ``loss`` (mean of the steps since the last
        entry) and ``accuracy``.
    """
    rng = np.random.default_rng(seed)
    windows = shift_windows(images, max_shift)
    n = images.shape[0]
    steps_per_epoch = n // batch_size            # the last partial batch is dropped
    total = steps_per_epoch * epochs
    every = evaluate_every or steps_per_epoch
    opt = AdamInPlace(net.weights)
    history, losses = [], []
    start = time.perf_counter()
    step = 0
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(epochs):
            order = rng.permutation(n)
            for b in range(steps_per_epoch):
                idx = order[b * batch_size:(b + 1) * batch_size]
                E, grads, _ = net.train_step(shifted_batch(windows, idx, rng), labels[idx])
                opt.step(grads, one_cycle(step, total, lr, warmup))
                losses.append(E)
                step += 1
                if evaluate is not None and (step % every == 0 or step == total):
                    entry = {"seconds": None, "step": step, "epoch": step / steps_per_epoch,
                             "loss": float(np.mean(losses)), "accuracy": evaluate(net)}
                    entry["seconds"] = time.perf_counter() - start
                    losses = []
                    history.append(entry)
                    if on_evaluate is not None:
                        on_evaluate(entry)
                    if target is not None and entry["accuracy"] >= target:
                        return history
    return history
