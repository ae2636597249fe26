"""What the interactive explorers of :mod:`annteach.widgets` draw, computed with numpy only.

The explorers are thin layers of sliders and redraws over these functions, so
everything they show can be computed (and tested) without a figure or a widget:
the grid over the input square, the tangent of an activation, a training run
that keeps its momentum between button presses, what each probability bar
stands for and which image comes next when stepping through a test set or
through its mistakes only.
"""

import numpy as np

from .activations import get_activation
from .mlp import MLP
from .xor import XOR_WEIGHTS, xor_dataset

__all__ = [
    "BAR_ROLES",
    "XorTraining",
    "bar_roles",
    "input_grid",
    "position_among",
    "step_index",
    "symmetric_weights",
    "tangent",
]

#: What a probability bar stands for: the true class, a wrong top class (the network's
#: prediction when it is wrong), any other class. The explorer colours them with the
#: course's ``TRUTH_COLOR``, ``PREDICTION_COLOR`` and a neutral grey.
BAR_ROLES = ("truth", "prediction", "other")


def input_grid(n=101, lo=0.0, hi=1.0):
    """A square grid over the input plane ``[lo, hi]**2``.

    Parameters
    ----------
    n : int, optional
        Points per side (at least 2).
    lo, hi : float, optional
        Limits of both inputs.

    Returns
    -------
    X1, X2 : ndarray of float64, shape (n, n)
        ``numpy.meshgrid(v, v)`` of ``v = linspace(lo, hi, n)``: ``X1`` varies
        along the columns, ``X2`` along the rows (``imshow(..., origin="lower")``
        puts ``X2 = lo`` at the bottom).
    """
    if int(n) != n or n < 2:
        raise ValueError(f"n must be an integer of at least 2, got {n}")
    if not hi > lo:
        raise ValueError(f"need hi > lo, got lo={lo}, hi={hi}")
    v = np.linspace(lo, hi, int(n))
    X1, X2 = np.meshgrid(v, v)
    return X1, X2


def symmetric_weights(value):
    """All nine weights and biases of the 2-2-1 XOR net set to one value.

    With every weight equal, the two hidden units compute the same function
    and receive the same gradient, so gradient descent can never make them
    differ: this is why initial weights must break the symmetry.

    Parameters
    ----------
    value : float

    Returns
    -------
    weights : dict
        ``{name: float(value)}`` for every name of :data:`annteach.XOR_WEIGHTS`.
    """
    return dict.fromkeys(XOR_WEIGHTS, float(value))


def tangent(name, a0, a):
    """The tangent of an activation ``g`` at ``a0``, evaluated at ``a``.

    The slope comes from the derivative written with the output,
    ``g_derivative(g(a0))``, as in backpropagation.

    Parameters
    ----------
    name : str
        A key of :data:`annteach.ACTIVATIONS`.
    a0 : float
        Pre-activation where the tangent touches ``g``.
    a : array_like, shape (K,)
        Where to evaluate the tangent line.

    Returns
    -------
    y0 : float
        ``g(a0)``.
    slope : float
        ``g'(a0)``.
    line : ndarray of float64, shape (K,)
        ``y0 + slope * (a - a0)``.
    """
    g, g_derivative = get_activation(name)
    y0 = float(g(np.float64(a0)))
    slope = float(g_derivative(np.float64(y0)))
    return y0, slope, y0 + slope * (np.asarray(a, dtype=np.float64) - a0)


class XorTraining:
    """An MLP learning XOR one epoch at a time, its momentum kept between calls.

    A training session advanced by button presses must keep the momentum
    between presses, or momentum would do nothing in batch mode (one update
    per epoch): each step calls :meth:`annteach.MLP.fit` with
    ``keep_velocity=True``.

    Parameters
    ----------
    hidden_units : int, optional
        Units of the hidden layer of the ``[2, hidden_units, 1]`` network.
    seed : int, optional
        Seed of the initial weights and of the sample order.
    hidden, output, loss, init : str, optional
        Passed to :class:`annteach.MLP`.

    Attributes
    ----------
    model : MLP
        The network; ``model.loss_history`` holds the mean loss per sample of
        every epoch trained so far.
    initial_weights : list of ndarray
        Copies of the seeded initial weights (what :meth:`reset` restores).
    """

    def __init__(self, hidden_units=3, seed=0, hidden="tanh", output="logistic",
                 loss="cross_entropy", init="glorot"):
        self.X, self.T = xor_dataset()
        self.config = {"hidden": hidden, "output": output, "loss": loss, "init": init}
        self.hidden_units, self.seed = int(hidden_units), seed
        self.reset()

    def reset(self, hidden_units=None):
        """Back to the seeded initial weights, an empty history and zero velocity.

        Parameters
        ----------
        hidden_units : int, optional
            A new size of the hidden layer (default: keep the current one).
        """
        if hidden_units is not None:
            self.hidden_units = int(hidden_units)
        self.model = MLP([2, self.hidden_units, 1], seed=self.seed, **self.config)
        self.initial_weights = [W.copy() for W in self.model.weights]

    @property
    def epochs(self):
        """Number of epochs trained since the last reset."""
        return len(self.model.loss_history)

    def step(self, epochs=1, learning_rate=0.5, momentum=0.0, stochastic=False):
        """Train for some epochs.

        Parameters
        ----------
        epochs : int, optional
        learning_rate : float, optional
            Positive step size.
        momentum : float, optional
            In [0, 1).
        stochastic : bool, optional
            One update per sample in a shuffled order (True) or one update per
            epoch with the gradient of all four samples (False).

        Returns
        -------
        losses : ndarray of float64, shape (epochs,)
            Mean loss per sample of each epoch (also appended to
            ``model.loss_history``).
        """
        epochs = int(epochs)
        self.model.fit(self.X, self.T, epochs=epochs, batch_size=1 if stochastic else None,
                       learning_rate=learning_rate, momentum=momentum, progress=False,
                       keep_velocity=True)
        return np.array(self.model.loss_history[len(self.model.loss_history) - epochs:])

    def grid_output(self, X1, X2):
        """Network output over a grid of inputs.

        Parameters
        ----------
        X1, X2 : ndarray, shape (K, L)

        Returns
        -------
        Y : ndarray, shape (K, L)
        """
        X = np.column_stack([np.ravel(X1), np.ravel(X2)])
        return self.model.predict_proba(X)[:, 0].reshape(np.shape(X1))


def bar_roles(probs, label):
    """What each probability bar of one image stands for (see :data:`BAR_ROLES`).

    Parameters
    ----------
    probs : array_like, shape (K,)
        Class probabilities.
    label : int
        The true class.

    Returns
    -------
    roles : list of str, length K
        ``"truth"`` at ``label`` (also when the network predicts it);
        ``"prediction"`` at the most probable class when that is not ``label``;
        ``"other"`` elsewhere.
    """
    probs = np.asarray(probs)
    if probs.ndim != 1 or not 0 <= label < probs.size:
        raise ValueError(f"need probs of shape (K,) and 0 <= label < K, "
                         f"got shape {probs.shape} and label {label}")
    roles = ["other"] * probs.size
    roles[int(np.argmax(probs))] = "prediction"
    roles[int(label)] = "truth"
    return roles


def step_index(index, n, direction=1, among=None):
    """The image after (or before) ``index`` when stepping through ``n`` images.

    Parameters
    ----------
    index : int
        The image shown now, ``0 <= index < n``.
    n : int
        Number of images.
    direction : {1, -1}, optional
        Next (1) or previous (-1).
    among : array_like of int, optional
        Step through these indices only (e.g. the misclassified images,
        increasing); ``index`` need not be one of them: the next one is the
        first above it, the previous one the last below it.

    Returns
    -------
    int or None
        The new index; stepping wraps around at either end. None when
        ``among`` is empty (nothing to step to).
    """
    if direction not in (1, -1):
        raise ValueError(f"direction must be 1 (next) or -1 (previous), got {direction}")
    if int(n) != n or n < 1 or not 0 <= index < n:
        raise ValueError(f"need 0 <= index < n with n >= 1, got index {index} and n {n}")
    if among is None:
        return int((index + direction) % n)
    among = np.sort(np.asarray(among, dtype=np.int64).ravel())
    if among.size and not 0 <= among[0] <= among[-1] < n:
        raise ValueError(f"the indices stepped through must lie in [0, {n}), got "
                         f"{among[0]} to {among[-1]}")
    if among.size == 0:
        return None
    if direction > 0:
        later = among[among > index]
        return int(later[0] if later.size else among[0])
    earlier = among[among < index]
    return int(earlier[-1] if earlier.size else among[-1])


def position_among(index, among):
    """Where ``index`` stands among some indices: ``(k, m)`` for "k of m", or None.

    Parameters
    ----------
    index : int
    among : array_like of int, shape (m,)
        Increasing indices (e.g. the misclassified images).

    Returns
    -------
    (int, int) or None
        ``k`` counts from 1; None when ``index`` is not among them.
    """
    among = np.asarray(among)
    k = np.flatnonzero(among == index)
    return (int(k[0]) + 1, int(among.size)) if k.size else None
