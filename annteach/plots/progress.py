"""Training as it happens: the loss and the accuracies of a history of
:func:`annteach.training.train`, drawn once or redrawn live in a notebook."""

import numpy as np
from matplotlib.figure import Figure

from .alt import describe_axes_default
from .colors import TEST_COLOR, TRAIN_COLOR
from .style import FIGSIZE, FONT_PT

__all__ = ["LiveTrainingPlot", "plot_training_progress", "progress_line"]


def plot_training_progress(history, axes=None, epochs=None, target=None):
    """The training loss (left) and the accuracy (right) over the epochs.

    The accuracy is that of the test images when the history has it, else
    that of the (shifted) training batches.

    Parameters
    ----------
    history : list of dict
        Entries of :func:`annteach.training.train`: ``epoch``, ``loss``,
        ``accuracy`` and, if measured, ``test_accuracy``.
    axes : sequence of two matplotlib Axes, optional
        Where to draw; a new course-sized wide figure with two panels when None.
    epochs : float, optional
        Length of the x axes (the epochs to come, so that a live plot does not
        rescale); by default the last epoch of the history.
    target : float, optional
        An accuracy to reach (0.99 for 99 %), drawn as a dotted line.

    Returns
    -------
    dict of str to matplotlib Line2D
        ``"loss"``, ``"accuracy"`` (percent; test images if measured) and,
        with ``target``, ``"target"``; x data in epochs. The latest values are
        written next to their points, and each panel describes itself (alt text).
    """
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=FIGSIZE["wide"], layout="constrained")
    ax_loss, ax_acc = axes
    epoch = np.array([e["epoch"] for e in history], dtype=float)
    end = float(epochs) if epochs is not None else (epoch[-1] if len(epoch) else 1.0)
    test = bool(history) and all("test_accuracy" in e for e in history)
    accuracy = 100 * np.array([e["test_accuracy" if test else "accuracy"] for e in history],
                              dtype=float)
    lines = {}
    loss = np.array([e["loss"] for e in history], dtype=float)
    (lines["loss"],) = ax_loss.plot(epoch, loss, "o-", color=TRAIN_COLOR)
    ax_loss.set_ylim(bottom=0)
    ax_loss.set_title("training loss (mean cross-entropy)", fontsize="medium")
    ax_loss.set_ylabel("E (mean per sample)")
    which = "test images" if test else "training batches"
    (lines["accuracy"],) = ax_acc.plot(epoch, accuracy, "s-",
                                       color=TEST_COLOR if test else TRAIN_COLOR)
    ax_acc.set_title(f"accuracy on the {which} (%)", fontsize="medium")
    ax_acc.set_ylabel("accuracy (%)")
    low = min([97.0] + list(accuracy))
    if target is not None:
        lines["target"] = ax_acc.axhline(100 * target, color="0.3", linestyle=":", linewidth=1.2)
        ax_acc.annotate(f"{100 * target:g} %", (0, 100 * target), xytext=(3, 3),
                        textcoords="offset points", fontsize=FONT_PT["annotation"], color="0.3")
        low = min(low, 100 * target - 1)
    ax_acc.set_ylim(np.floor(low), 100)
    for ax in axes:
        ax.set_xlim(0, 1.04 * end)
        ax.set_xlabel("epoch")
    if len(epoch):
        ax_loss.annotate(f"{loss[-1]:.3f}", (epoch[-1], loss[-1]), xytext=(-6, 10),
                         textcoords="offset points", ha="right", fontsize=FONT_PT["annotation"])
        ax_acc.annotate(f"{accuracy[-1]:.2f} %", (epoch[-1], accuracy[-1]), xytext=(-6, -18),
                        textcoords="offset points", ha="right", fontsize=FONT_PT["annotation"])
        seconds = f" after {history[-1]['seconds']:.1f} s" if "seconds" in history[-1] else ""
        describe_axes_default(ax_loss, f"Training loss (mean cross-entropy per sample) after "
                              f"each of {len(epoch)} evaluations up to epoch {epoch[-1]:.2f}: "
                              f"from {loss[0]:.3f} down to {loss[-1]:.3f}{seconds}.")
        describe_axes_default(ax_acc, f"Accuracy on the {which} at the same points: from "
                              f"{accuracy[0]:.2f} % to {accuracy[-1]:.2f} %" + (
                                  f", against a dotted target line at {100 * target:g} %"
                                  if target is not None else "") + ".")
    return lines


def progress_line(history, target=None):
    """One line of text about the latest entry of a training history.

    For example ``"epoch 2.00: training loss 0.0496, test accuracy 99.11 % after 23.9 s
    (CPU 45.1 s) (99 % first reached at epoch 2.00, 23.9 s)"``: the wall time since
    training began and, when the history has it, the CPU time of all threads (for the
    latest entry only, to keep the line short).

    Parameters
    ----------
    history : list of dict
        Entries of :func:`annteach.training.train`.
    target : float, optional
        An accuracy to reach; the line says when the test accuracy first did.

    Returns
    -------
    str
    """
    if not history:
        return "no training step yet"
    last = history[-1]
    accuracy = last.get("test_accuracy", last["accuracy"])
    which = "test" if "test_accuracy" in last else "training"
    text = (f"epoch {last['epoch']:.2f}: training loss {last['loss']:.4f}, {which} accuracy "
            f"{100 * accuracy:.2f} % after {_times(last)}")
    if target is not None and "test_accuracy" in last:
        reached = next((e for e in history if e["test_accuracy"] >= target), None)
        if reached is not None:
            text += (f" ({100 * target:g} % first reached at epoch {reached['epoch']:.2f}, "
                     f"{reached['seconds']:.1f} s)")
    return text


def _times(entry):
    """``"23.9 s"``, or ``"23.9 s (CPU 45.1 s)"`` when the entry has its CPU time."""
    text = f"{entry['seconds']:.1f} s"
    if "cpu_seconds" in entry:
        text += f" (CPU {entry['cpu_seconds']:.1f} s)"
    return text


class LiveTrainingPlot:
    """A callback for :func:`annteach.training.train` that redraws the progress live.

    After every entry of the history it draws :func:`plot_training_progress`
    into its figure and, in a notebook, shows that figure (as a PNG image) and
    a line of text (:func:`progress_line`) in the output of the running cell,
    replacing the previous ones (IPython display handles): the cell ends with
    one figure and one line, also when the notebook is executed by nbconvert.
    Outside a notebook nothing is shown; the figure is still drawn (``fig``).

    Parameters
    ----------
    epochs : float, optional
        Length of the x axes.
    target : float, optional
        Accuracy drawn as a dashed line and reported by the text line.
    figsize : (float, float), optional
        As wide as the course's wide figure and lower, so that a slide holds a heading, the
        training call, the figure and its line of text.

    Attributes
    ----------
    fig : matplotlib Figure
        Not managed by pyplot, so the notebook does not show it a second
        time at the end of the cell.
    axes : ndarray of 2 Axes
    lines : dict
        What the latest redraw drew (:func:`plot_training_progress`).
    """

    def __init__(self, epochs=None, target=None, figsize=(FIGSIZE["wide"][0], 4.0)):
        self.epochs, self.target = epochs, target
        self.fig = Figure(figsize=figsize, layout="constrained")
        self.axes = self.fig.subplots(1, 2)
        self.lines = {}
        self._handles = None

    def __call__(self, history):
        for ax in self.axes:
            ax.clear()
        self.lines = plot_training_progress(history, axes=self.axes, epochs=self.epochs,
                                            target=self.target)
        self._show(progress_line(history, self.target))

    def png(self):
        """The figure as PNG bytes (what the notebook shows)."""
        import base64

        from .style import figure_png

        return base64.b64decode(figure_png(self.fig)[0])

    def _show(self, text):
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
        if shell is None or getattr(shell, "kernel", None) is None:
            return  # not in a notebook kernel: nothing to show
        from IPython.display import display

        from .style import figure_png

        data, metadata = figure_png(self.fig)   # retina PNG with its alt text and font size
        picture = {"image/png": data,
                   "text/plain": "(figure: training loss and accuracy per epoch)"}
        shown = {"image/png": metadata}
        status = {"text/plain": text}
        if self._handles is None:
            self._handles = (display(picture, raw=True, metadata=shown, display_id=True),
                             display(status, raw=True, display_id=True))
        else:
            self._handles[0].update(picture, raw=True, metadata=shown)
            self._handles[1].update(status, raw=True)
