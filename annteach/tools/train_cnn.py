"""Train the CNN from scratch on MNIST: ``python -m annteach train-cnn``.

The defaults (:data:`DEFAULTS`) are the recipe of the shipped weights in
``data/models/``: the :class:`~annteach.cnn.CNN` default architecture
(conv 12 and 24 channels, dense 128), 12 epochs over the 60,000 training
images in mini-batches of 128, Adam (beta1 0.9, beta2 0.999) with a cosine
learning-rate decay from 2e-3 to 0, and every training image shifted by a
random whole number of pixels (-2..2 in x and y independently) each time it
is used. BLAS runs on one thread (its products are small; a second thread
gains little and loses a lot when the cores are shared). All randomness
comes from one ``numpy.random.default_rng(seed)``. At the end the command
measures the accuracy on the 10,000 test images and writes ``cnn.npz`` and
``cnn.json`` (see :func:`annteach.cnn.save_cnn`).
"""

import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from ..cnn import CNN, MODEL_NAME, default_model_path, model_accuracy, save_cnn

__all__ = ["DEFAULTS", "Adam", "configure_parser", "random_shifts", "run", "train"]

#: The documented recipe (the command-line defaults).
DEFAULTS = {
    "epochs": 12,
    "batch_size": 128,
    "lr": 2e-3,
    "max_shift": 2,
    "seed": 0,
    "threads": 1,
    "conv_channels": (12, 24),
    "hidden": 128,
}


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
        self.t = 0

    def step(self, grads, lr):
        """One update ``P -= lr * m_hat / (sqrt(v_hat) + eps)`` with gradients ``grads``."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        scale = lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        for P, G, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= b1
            m += (1 - b1) * G
            v *= b2
            v += (1 - b2) * G * G
            P -= (scale * m / (np.sqrt(v) + self.eps)).astype(P.dtype, copy=False)


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
    """
    s = int(max_shift)
    H, W = padded.shape[1] - 2 * s, padded.shape[2] - 2 * s
    dy, dx = rng.integers(0, 2 * s + 1, size=(2, len(idx)))
    rows = (dy[:, None] + np.arange(H))[:, :, None]
    cols = (dx[:, None] + np.arange(W))[:, None, :]
    return padded[idx[:, None, None], rows, cols][:, None]


def train(model, images, labels, epochs=DEFAULTS["epochs"], batch_size=DEFAULTS["batch_size"],
          lr=DEFAULTS["lr"], max_shift=DEFAULTS["max_shift"], seed=DEFAULTS["seed"],
          progress=True):
    """Train ``model`` in place with Adam, cosine learning-rate decay and random shifts.

    Parameters
    ----------
    model : CNN
    images : ndarray, shape (N, 28, 28)
        Scaled training images.
    labels : ndarray of int, shape (N,)
    epochs, batch_size : int
    lr : float
        Initial learning rate; it decays as ``lr * (1 + cos(pi t / T)) / 2``
        over the ``T`` steps of training.
    max_shift : int
        Largest random shift in pixels (0: no augmentation).
    seed : int
        Seed of the shuffling and the shifts.
    progress : bool
        Show a tqdm bar with the running loss and the epoch's accuracy.

    Returns
    -------
    history : list of dict
        Per epoch: mean ``loss`` and training ``accuracy`` (on the shifted images).
    """
    from tqdm.auto import tqdm

    images = np.asarray(images, dtype=model.dtype)
    labels = np.asarray(labels)
    if images.ndim != 3 or labels.shape != (images.shape[0],):
        raise ValueError(f"need images (N, H, W) and labels (N,), got {images.shape} "
                         f"and {labels.shape}")
    if images.shape[0] < 1:
        raise ValueError("no training images")
    if int(batch_size) < 1 or int(epochs) < 0 or int(max_shift) < 0 or not lr > 0:
        raise ValueError(f"need batch_size >= 1, epochs >= 0, max_shift >= 0 and lr > 0; got "
                         f"{batch_size}, {epochs}, {max_shift} and {lr}")
    rng = np.random.default_rng(seed)
    s = int(max_shift)
    padded = np.pad(images, ((0, 0), (s, s), (s, s)))
    n = images.shape[0]
    steps_per_epoch = -(-n // batch_size)
    total_steps = steps_per_epoch * int(epochs)
    opt = Adam(model.weights)
    history, step = [], 0
    for epoch in range(int(epochs)):
        order = rng.permutation(n)
        loss_sum = correct = seen = 0
        bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{epochs}",
                   disable=not progress, leave=True)
        for b in bar:
            idx = order[b * batch_size:(b + 1) * batch_size]
            X = random_shifts(padded, idx, s, rng) if s else images[idx][:, None]
            E, grads, Y = model.train_step(X, labels[idx])
            rate = lr * 0.5 * (1 + np.cos(np.pi * step / total_steps))
            opt.step(grads, rate)
            step += 1
            loss_sum += E * len(idx)
            correct += int(np.sum(Y.argmax(axis=1) == labels[idx]))
            seen += len(idx)
            if b % 20 == 0 or b == steps_per_epoch - 1:
                bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{correct / seen:.4f}")
        history.append({"loss": loss_sum / seen, "accuracy": correct / seen})
    return history


def _machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "numpy": np.__version__,
            "python": platform.python_version(),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE")}


def configure_parser(parser):
    """Add the options of ``annteach train-cnn`` (defaults: :data:`DEFAULTS`)."""
    d = DEFAULTS
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for cnn.npz and cnn.json (default: data/models/, the "
                             "shipped model, which only the default recipe may replace)")
    parser.add_argument("--epochs", type=int, default=d["epochs"],
                        help="passes over the training images (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=d["batch_size"],
                        help="images per step (default: %(default)s)")
    parser.add_argument("--lr", type=float, default=d["lr"],
                        help="initial Adam learning rate, decayed to 0 on a cosine "
                             "(default: %(default)s)")
    parser.add_argument("--max-shift", type=int, default=d["max_shift"],
                        help="largest random shift of the training images, in pixels "
                             "(default: %(default)s)")
    parser.add_argument("--seed", type=int, default=d["seed"],
                        help="seed of the initial weights, shuffling and shifts "
                             "(default: %(default)s)")
    parser.add_argument("--threads", type=int, default=d["threads"],
                        help="BLAS threads, 0 for the library's default (default: %(default)s)")
    parser.add_argument("--channels", type=int, nargs="+", default=list(d["conv_channels"]),
                        help="filters of each conv layer (default: %(default)s)")
    parser.add_argument("--hidden", type=int, default=d["hidden"],
                        help="units of the hidden dense layer, 0 for none (default: %(default)s)")
    parser.add_argument("--limit", type=int, default=None,
                        help="train on the first LIMIT images only (for quick tests)")
    parser.add_argument("--no-progress", dest="progress", action="store_false")


def run(args):
    """Train, evaluate on the 10,000 test images and write the weights and JSON."""
    from ..mnist import load_mnist, scale

    recipe = {"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
              "max_shift": args.max_shift, "seed": args.seed, "threads": args.threads,
              "conv_channels": tuple(args.channels), "hidden": args.hidden}
    if args.out is None and (recipe != DEFAULTS or args.limit is not None):
        changed = sorted(k for k in DEFAULTS if recipe[k] != DEFAULTS[k])
        changed += ["limit"] if args.limit is not None else []
        raise SystemExit(
            f"train-cnn: options {', '.join(changed)} differ from the documented recipe, so the "
            f"result must not replace the shipped model in {default_model_path().parent}; "
            "give --out DIR for it")
    out = Path(args.out) if args.out is not None else default_model_path().parent
    train_images, train_labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    if args.limit is not None:
        train_images, train_labels = train_images[:args.limit], train_labels[:args.limit]
    channels = tuple(args.channels)
    model = CNN(conv_channels=channels, paddings=(0,) * len(channels),
                hidden=args.hidden or None, seed=args.seed)
    print(model.summary())
    settings = {"epochs": args.epochs, "batch_size": args.batch_size, "optimizer": "adam",
                "lr": args.lr, "lr_schedule": "cosine to 0", "max_shift": args.max_shift,
                "seed": args.seed, "threads": args.threads,
                "train_images": int(train_images.shape[0])}

    def fit():
        return train(model, scale(train_images), train_labels.astype(np.int64),
                     epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                     max_shift=args.max_shift, seed=args.seed, progress=args.progress)

    load_before = os.getloadavg()[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    if args.threads:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=args.threads):
            history = fit()
    else:
        history = fit()
    train_seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    load_after = os.getloadavg()[0]
    accuracy = model_accuracy(model, scale(test_images), test_labels)
    info = {"training": settings, "history": history,
            "test_accuracy": accuracy, "test_images": int(test_images.shape[0]),
            "train_seconds": round(train_seconds, 1),
            "train_cpu_seconds": round(cpu_seconds, 1),
            "load_average_1min": [round(load_before, 2), round(load_after, 2)],
            "machine": _machine(),
            "command": "python -m annteach train-cnn"}
    meta = save_cnn(model, out / MODEL_NAME, info)
    print(f"trained in {train_seconds:.0f} s ({cpu_seconds:.0f} s of CPU); "
          f"accuracy on the MNIST test set: {100 * accuracy:.2f} %")
    print(f"wrote {out / MODEL_NAME} and {out / 'cnn.json'} (sha256 {meta['sha256'][:12]}...)")
    print(json.dumps(settings))
    return 0
