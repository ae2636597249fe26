"""Training a classifier with Adam, a cosine learning-rate decay and random shifts.

:func:`train` works for any model with the protocol of :class:`annteach.MLP`
and :class:`annteach.CNN`:

* ``params``: the list of parameter arrays, which the optimiser updates in place;
* ``gradients(X, labels, return_outputs=True) -> (E, grads, Y)``: the mean loss
  of a batch, its gradient (one array per parameter) and the class
  probabilities ``Y`` (N, K).

It is the recipe of the shipped CNN (``python -m annteach train-cnn`` runs it with
:data:`RECIPE`), and it trains an MLP or a linear model just as well (give them
``input_shape=(784,)``), so that models can be compared trained the same way.
All randomness comes from one ``numpy.random.default_rng(seed)``.
"""

import numpy as np

from .checks import check_finite_array, check_integer, check_real

__all__ = ["RECIPE", "Adam", "check_settings", "check_training_data", "cosine_learning_rate",
           "random_shifts", "train"]

#: The shipped CNN's training recipe (the defaults of :func:`train`).
RECIPE = {"epochs": 12, "batch_size": 128, "lr": 2e-3, "max_shift": 2, "seed": 0}


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


def cosine_learning_rate(lr, step, total_steps):
    """The learning rate of step ``step`` of ``total_steps``: ``lr (1 + cos(pi step / total)) / 2``.

    It starts at ``lr`` and decays smoothly to 0 at the end of training.
    """
    return lr * 0.5 * (1 + np.cos(np.pi * step / total_steps))


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
          input_shape=None, progress=True):
    """Train ``model`` in place with Adam, cosine learning-rate decay and random shifts.

    Parameters
    ----------
    model : MLP or CNN
        Anything with ``params`` and ``gradients(X, labels, return_outputs=True)``
        (see the module docstring).
    images : ndarray, shape (N, H, W)
        Scaled training images (or, with ``max_shift=0``, any samples (N, ...)).
    labels : ndarray of int, shape (N,)
    epochs, batch_size : int
    lr : float
        Initial learning rate; it decays as :func:`cosine_learning_rate` over
        the steps of training.
    max_shift : int
        Largest random shift in pixels (0: no augmentation).
    seed : int
        Seed of the shuffling and the shifts.
    input_shape : tuple of int, optional
        The shape of one sample as the model takes it, for example ``(784,)``
        for an MLP on 28 x 28 images; by default a batch of images goes in as
        ``(B, 1, H, W)`` (``(B, ...)`` without shifts).
    progress : bool
        Show a tqdm bar with the running loss and the epoch's accuracy.

    Returns
    -------
    history : list of dict
        Per epoch: mean ``loss`` and training ``accuracy`` (on the shifted images).

    Raises
    ------
    ValueError
        Before the first step, for bad settings (:func:`check_settings`) or data
        (:func:`check_training_data`).
    """
    from tqdm.auto import tqdm

    images = np.asarray(images, dtype=model.params[0].dtype)
    labels = np.asarray(labels)
    check_settings(epochs, batch_size, lr, max_shift, images.shape[1:3] if max_shift else None)
    check_training_data(images, labels, max_shift)
    s = int(max_shift)
    rng = np.random.default_rng(seed)
    padded = np.pad(images, ((0, 0), (s, s), (s, s))) if s else None
    n = images.shape[0]
    steps_per_epoch = -(-n // batch_size)
    total_steps = steps_per_epoch * int(epochs)
    opt = Adam(model.params)
    history, step = [], 0
    for epoch in range(int(epochs)):
        order = rng.permutation(n)
        loss_sum = correct = seen = 0
        bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{epochs}",
                   disable=not progress, leave=True)
        for b in bar:
            idx = order[b * batch_size:(b + 1) * batch_size]
            if s:
                X = random_shifts(padded, idx, s, rng)
            else:
                X = images[idx][:, None] if images.ndim == 3 else images[idx]
            if input_shape is not None:
                X = X.reshape(len(idx), *input_shape)
            E, grads, Y = model.gradients(X, labels[idx], return_outputs=True)
            opt.step(grads, cosine_learning_rate(lr, step, total_steps))
            step += 1
            loss_sum += E * len(idx)
            correct += int(np.sum(Y.argmax(axis=1) == labels[idx]))
            seen += len(idx)
            if b % 20 == 0 or b == steps_per_epoch - 1:
                bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{correct / seen:.4f}")
        history.append({"loss": loss_sum / seen, "accuracy": correct / seen})
    return history
