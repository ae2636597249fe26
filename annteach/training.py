"""Training a classifier with Adam, a learning-rate schedule and random shifts.

:func:`train` works for any model with the protocol of :class:`annteach.MLP`
and :class:`annteach.CNN`:

* ``params``: the list of parameter arrays, which the optimiser updates in place;
* ``gradients(X, labels, return_outputs=True) -> (E, grads, Y)``: the mean loss
  of a batch, its gradient (one array per parameter) and the class
  probabilities ``Y`` (N, K); it must be safe to call from two threads at once
  (both models are);
* ``predict(X)``: class labels (only for the test accuracy, see ``test``).

Two recipes, each a dict of :func:`train`'s settings:

* :data:`RECIPE`, the recipe of the shipped CNN (``python -m annteach train-cnn``):
  12 epochs, Adam with a cosine decay of the learning rate. It trains an MLP or
  a linear model just as well (give them ``input_shape=(784,)``), so that models
  can be compared trained the same way (``python -m annteach compare``).
* :data:`QUICK`, the live-training recipe (:func:`train_quick`,
  ``python -m annteach train-cnn --quick``): 2 epochs, a one-cycle schedule.

Both cores (or more) work on every batch: it is split into ``parts`` equal parts
whose gradients are computed at the same time in worker threads, each with a
one-thread BLAS (numpy releases the GIL in its products and loops), and the
batch's gradient is their mean weighted by size, summed in a fixed order. The
numbers computed depend on ``parts`` (by rounding) but not on how many threads
share the work. All randomness comes from one ``numpy.random.default_rng(seed)``.
"""

import os
import time

import numpy as np

from .checks import check_finite_array, check_integer, check_real

__all__ = ["QUICK", "RECIPE", "SCHEDULES", "Adam", "check_settings", "check_training_data",
           "cosine_learning_rate", "default_workers", "one_cycle_learning_rate",
           "random_shifts", "train", "train_quick"]

#: The shipped CNN's training recipe (the defaults of :func:`train`).
RECIPE = {"epochs": 12, "batch_size": 128, "lr": 2e-3, "schedule": "cosine", "max_shift": 2,
          "seed": 0}

#: The live-training recipe of :func:`train_quick`: the default CNN to about 99 % in two epochs.
QUICK = {"epochs": 2, "batch_size": 128, "lr": 5e-3, "schedule": "one-cycle", "max_shift": 2,
         "seed": 0}


class Adam:
    """The Adam update rule (Kingma and Ba, 2015), in place on a list of arrays.

    Parameters
    ----------
    params : list of ndarray
        Updated in place by :meth:`step`.
    beta1, beta2, eps : float, optional
    """

    def __init__(self, params, beta1=0.9, beta2=0.999, eps=1e-8):
        self.params, self.beta1, self.beta2, self.eps = params, beta1, beta2, eps
        self.m = [np.zeros_like(P) for P in params]
        self.v = [np.zeros_like(P) for P in params]
        self._scratch = [np.empty_like(P) for P in params]
        self.t = 0

    def step(self, grads, lr):
        """One update with gradients ``grads`` (not changed) and learning rate ``lr``::

            m = beta1 m + (1 - beta1) G
            v = beta2 v + (1 - beta2) G**2
            P -= lr sqrt(1 - beta2**t) / (1 - beta1**t) * m / (sqrt(v) + eps)

        computed in place, in the parameters' dtype, without temporary arrays.
        """
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        scale = float(lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t))
        for P, G, m, v, tmp in zip(self.params, grads, self.m, self.v, self._scratch,
                                   strict=True):
            m *= b1
            np.multiply(G, 1 - b1, out=tmp)
            m += tmp
            v *= b2
            np.multiply(G, G, out=tmp)
            tmp *= 1 - b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= scale
            P -= tmp


def cosine_learning_rate(lr, step, total_steps):
    """The learning rate of step ``step`` of ``total_steps``: ``lr (1 + cos(pi step / total)) / 2``.

    It starts at ``lr`` and decays smoothly to 0 at the end of training.
    """
    return lr * 0.5 * (1 + np.cos(np.pi * step / total_steps))


def one_cycle_learning_rate(lr, step, total_steps, warmup=0.2, start=0.1, end=0.01):
    """The learning rate of step ``step`` of ``total_steps`` in a one-cycle schedule.

    It rises linearly from ``start * lr`` to ``lr`` over the first ``warmup``
    fraction of the steps, then falls to ``end * lr`` on a cosine. The large
    rates in the middle move fast; the small ones at the end settle.
    """
    t = step / max(1, total_steps)
    if t < warmup:
        return lr * (start + (1 - start) * t / warmup)
    low = end * lr
    return low + (lr - low) * 0.5 * (1 + np.cos(np.pi * (t - warmup) / (1 - warmup)))


#: Learning-rate schedules by name: ``name -> rate(lr, step, total_steps)``.
SCHEDULES = {"cosine": cosine_learning_rate, "one-cycle": one_cycle_learning_rate}


def random_shifts(padded, idx, max_shift, rng):
    """Images ``idx`` of a zero-padded stack, each cut out at a random offset.

    Parameters
    ----------
    padded : ndarray, shape (N, H + 2 s, W + 2 s)
        Images with ``s = max_shift`` zeros on every side.
    idx : ndarray of int, shape (B,)
    max_shift : int
        ``s``: shifts are drawn uniformly from ``-s..s`` pixels per axis.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (B, 1, H, W)
        A new array, gathered in one indexing operation from the view of all
        ``(2 s + 1)**2`` windows of every image.
    """
    from numpy.lib.stride_tricks import sliding_window_view

    s = int(max_shift)
    H, W = padded.shape[1] - 2 * s, padded.shape[2] - 2 * s
    windows = sliding_window_view(padded, (H, W), axis=(1, 2))   # (N, 2s+1, 2s+1, H, W)
    dy, dx = rng.integers(0, 2 * s + 1, size=(2, len(idx)))
    return windows[idx, dy, dx][:, None]


def default_workers(parts=2):
    """Threads :func:`train` uses by default: one per core, at most ``parts``."""
    return max(1, min(int(parts), os.cpu_count() or 1))


def _batch_gradients(model, X, labels, parts, pool):
    """Mean loss, gradients and outputs of one batch, computed in ``parts`` parts.

    The parts run in the thread ``pool`` when there is one, one after the
    other otherwise; the results are combined in the same order either way.
    """
    n = len(X)
    edges = [i * n // parts for i in range(parts + 1)]
    pieces = [(X[a:b], labels[a:b]) for a, b in zip(edges, edges[1:]) if b > a]
    if len(pieces) == 1:
        return model.gradients(X, labels, return_outputs=True)

    def part(piece):
        return model.gradients(*piece, return_outputs=True)

    results = list(pool.map(part, pieces)) if pool is not None else [part(p) for p in pieces]
    shares = [len(y) / n for _, y in pieces]
    E = sum(share * r[0] for share, r in zip(shares, results))
    grads = [G * shares[0] for G in results[0][1]]
    for share, (_, part_grads, _) in zip(shares[1:], results[1:]):
        for G, H in zip(grads, part_grads, strict=True):
            G += share * H
    return E, grads, np.concatenate([r[2] for r in results])


def check_settings(epochs, batch_size, lr, max_shift, image_shape=None):
    """Check the settings of :func:`train` before anything is computed.

    Parameters
    ----------
    epochs : int
        At least 0 (an integer: 2.7 epochs is an error, not 2).
    batch_size : int
        At least 1.
    lr : float
        Finite and positive.
    max_shift : int
        At least 0, and less than the images' height and width.
    image_shape : tuple of int, optional
        ``(H, W)`` of the images, for the bound on ``max_shift``.

    Raises
    ------
    ValueError
        Naming the first setting that is wrong.
    """
    check_integer("epochs", epochs, 0)
    check_integer("batch_size", batch_size, 1)
    check_real("lr", lr, positive=True)
    s = check_integer("max_shift", max_shift, 0)
    if image_shape is not None and s and s >= min(image_shape):
        raise ValueError(f"max_shift must be less than the image size {image_shape}, got {s}")


def check_training_data(images, labels, max_shift):
    """Check the training set of :func:`train` before the first step.

    Parameters
    ----------
    images : ndarray, shape (N, H, W), or (N, ...) with ``max_shift == 0``
        Finite values.
    labels : ndarray of int, shape (N,)
        Non-negative.
    max_shift : int

    Raises
    ------
    ValueError
        For mismatched shapes, no images, NaN or infinite values, labels that
        are not non-negative integers.
    """
    if labels.shape != images.shape[:1] or (max_shift and images.ndim != 3):
        raise ValueError(f"need images (N, H, W) (or samples (N, ...) without shifts) and "
                         f"labels (N,), got {images.shape} and {labels.shape}")
    if images.shape[0] < 1:
        raise ValueError("no training images")
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
        raise ValueError(f"labels must be non-negative integers, got {labels.dtype} values "
                         f"from {labels.min()}")
    check_finite_array("images", images)


def train(model, images, labels, epochs=RECIPE["epochs"], batch_size=RECIPE["batch_size"],
          lr=RECIPE["lr"], max_shift=RECIPE["max_shift"], seed=RECIPE["seed"],
          schedule=RECIPE["schedule"], input_shape=None, progress=True, workers=None, parts=2,
          test=None, evaluations_per_epoch=1, callback=None):
    """Train ``model`` in place with Adam, a learning-rate schedule and random shifts.

    Parameters
    ----------
    model : MLP or CNN
        Anything with ``params`` and ``gradients(X, labels, return_outputs=True)``
        (see the module docstring).
    images : ndarray, shape (N, H, W)
        Scaled training images (or, with ``max_shift=0``, any samples (N, ...)).
    labels : ndarray of int, shape (N,)
    epochs, batch_size : int
        Every epoch goes through the images in a new random order, in batches
        of ``batch_size`` (the last one may be smaller).
    lr : float
        Peak learning rate of the schedule.
    max_shift : int
        Largest random shift in pixels (0: no augmentation).
    seed : int
        Seed of the shuffling and the shifts.
    schedule : {"cosine", "one-cycle"}
        A key of :data:`SCHEDULES`: :func:`cosine_learning_rate` (from ``lr``
        to 0) or :func:`one_cycle_learning_rate`, over the steps of training.
    input_shape : tuple of int, optional
        The shape of one sample as the model takes it, for example ``(784,)``
        for an MLP on 28 x 28 images; by default a batch of images goes in as
        ``(B, 1, H, W)`` (``(B, ...)`` without shifts).
    progress : bool
        Show a tqdm bar per epoch with the running loss and accuracy.
    workers : int, optional
        Threads that share the parts of every batch; default one per core, at
        most ``parts``. The results do not depend on it.
    parts : int, optional
        Parts every batch is split into (see the module docstring).
    test : (ndarray, ndarray), optional
        Test images and labels (shaped like ``images`` and ``labels``): their
        accuracy is measured at every entry of the history.
    evaluations_per_epoch : int, optional
        Entries of the history per epoch (each after an equal share of the
        epoch's steps).
    callback : callable, optional
        Called as ``callback(history)`` after every new entry (a live plot,
        a log line).

    Returns
    -------
    history : list of dict
        One entry per evaluation: ``epoch`` (fractional, 1.0 at the end of the
        first epoch), ``loss`` and ``accuracy`` (mean loss and accuracy on the
        shifted training batches since the previous entry), ``seconds`` (wall
        time since the start, evaluations included), ``cpu_seconds`` (CPU time
        of the process since the start, user + system of all its threads) and,
        with ``test``, ``test_accuracy``.

    Raises
    ------
    ValueError
        Before the first step, for bad settings (:func:`check_settings`, an
        unknown ``schedule``, ``parts``, ``evaluations_per_epoch`` or
        ``workers`` not an integer of at least 1) or data
        (:func:`check_training_data`).
    """
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits
    from tqdm.auto import tqdm

    images = np.asarray(images, dtype=model.params[0].dtype)
    labels = np.asarray(labels)
    check_settings(epochs, batch_size, lr, max_shift, images.shape[1:3] if max_shift else None)
    check_training_data(images, labels, max_shift)
    s = int(max_shift)
    if not isinstance(schedule, str) or schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}; choose from {sorted(SCHEDULES)}")
    parts = check_integer("parts", parts, 1)
    evaluations_per_epoch = check_integer("evaluations_per_epoch", evaluations_per_epoch, 1)
    workers = default_workers(parts) if workers is None else check_integer("workers", workers, 1)
    batch_size, epochs = int(batch_size), int(epochs)
    learning_rate = SCHEDULES[schedule]
    rng = np.random.default_rng(seed)
    padded = np.pad(images, ((0, 0), (s, s), (s, s))) if s else None
    n = images.shape[0]
    steps_per_epoch = -(-n // batch_size)
    total_steps = steps_per_epoch * epochs
    ends = {(j * steps_per_epoch) // evaluations_per_epoch
            for j in range(1, evaluations_per_epoch + 1)} - {0}
    opt = Adam(model.params)
    history, step = [], 0
    start, cpu_start = time.perf_counter(), time.process_time()

    def batch(idx):
        if s:
            X = random_shifts(padded, idx, s, rng)
        else:
            X = images[idx][:, None] if images.ndim == 3 else images[idx]
        return X if input_shape is None else X.reshape(len(idx), *input_shape)

    def shaped(X):
        return X if input_shape is None else X.reshape(len(X), *input_shape)

    pool = ThreadPoolExecutor(workers) if workers > 1 else None
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            for epoch in range(epochs):
                order = rng.permutation(n)
                loss_sum = correct = seen = 0
                bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{epochs}",
                           disable=not progress, leave=True)
                for b in bar:
                    idx = order[b * batch_size:(b + 1) * batch_size]
                    E, grads, Y = _batch_gradients(model, batch(idx), labels[idx], parts, pool)
                    opt.step(grads, learning_rate(lr, step, total_steps))
                    step += 1
                    loss_sum += E * len(idx)
                    correct += int(np.sum(Y.argmax(axis=1) == labels[idx]))
                    seen += len(idx)
                    if b % 20 == 0 or b == steps_per_epoch - 1:
                        bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{correct / seen:.4f}")
                    if b + 1 in ends:
                        entry = {"epoch": epoch + (b + 1) / steps_per_epoch,
                                 "loss": loss_sum / seen, "accuracy": correct / seen}
                        if test is not None:
                            predicted = model.predict(shaped(np.asarray(test[0], images.dtype)))
                            entry["test_accuracy"] = float(np.mean(predicted == test[1]))
                        entry["seconds"] = time.perf_counter() - start
                        entry["cpu_seconds"] = time.process_time() - cpu_start
                        history.append(entry)
                        loss_sum = correct = seen = 0
                        if callback is not None:
                            callback(history)
    finally:
        if pool is not None:
            pool.shutdown()
    return history


def train_quick(model=None, plot=True, callback=None, progress=False, workers=None):
    """Train a CNN on MNIST with the live-training recipe :data:`QUICK`, showing its progress.

    Two epochs over the 60,000 training images: Adam with a one-cycle
    learning rate (up to 5e-3), batches of 128, random shifts of up to 2
    pixels, seed 0. The accuracy on the 10,000 test images is measured every
    quarter epoch. The default CNN reaches about 99 % in half a minute on two
    cores (``benchmarks/bench_live_training.py`` measures it).

    Parameters
    ----------
    model : CNN, optional
        Trained in place; by default a new ``CNN(seed=0)`` (the architecture
        of the shipped model). Give another one to see how a change of the
        network changes its training.
    plot : bool, optional
        Draw the loss and the accuracies after every evaluation, in one figure
        that a notebook shows and updates in place
        (:class:`annteach.plots.LiveTrainingPlot`).
    callback : callable, optional
        Also called as ``callback(history)`` after every evaluation.
    progress : bool, optional
        Show tqdm bars as well.
    workers : int, optional
        Threads that share every batch (default: one per core, at most 2).

    Returns
    -------
    model : CNN
    history : list of dict
        As :func:`train` returns it, with ``test_accuracy``.
    """
    from .cnn import CNN
    from .mnist import load_mnist, scale

    model = CNN(seed=QUICK["seed"]) if model is None else model
    images, labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    callbacks = [callback] if callback is not None else []
    if plot:
        from .plots.progress import LiveTrainingPlot

        callbacks.insert(0, LiveTrainingPlot(epochs=QUICK["epochs"], target=0.99))

    def report(history):
        for function in callbacks:
            function(history)

    history = train(model, scale(images), labels.astype(np.int64), **QUICK,
                    test=(scale(test_images), test_labels.astype(np.int64)),
                    evaluations_per_epoch=4, callback=report, progress=progress,
                    workers=workers)
    return model, history
