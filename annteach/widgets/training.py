"""The training explorer: an MLP learning XOR step by step, its loss and its decision boundary."""

import numpy as np

from .. import views
from .engine import Explorer, output_grid

__all__ = ["TrainingExplorer"]


class TrainingExplorer(Explorer):
    """Train an MLP on XOR with buttons, and watch the loss and the decision boundary.

    The network is ``MLP([2, hidden_units, 1], hidden="tanh",
    output="logistic", loss="cross_entropy", init="glorot", seed=seed)``
    (see :class:`annteach.views.XorTraining`); "step" trains one epoch,
    "run" ``epochs_per_run`` epochs (redrawing as it goes), "reset" goes back
    to the seeded initial weights. Momentum is kept across presses.

    Parameters
    ----------
    hidden_units : int, optional
    learning_rate : float, optional
    momentum : float, optional
    stochastic : bool, optional
        Update after every sample instead of after all four.
    epochs_per_run : int, optional
    seed : int, optional
    epochs : int, optional
        Epochs trained before the first picture (for a static view of a
        trained network).
    static : bool, optional
        Draw the view once into a pyplot figure, without controls.

    Attributes
    ----------
    training : annteach.views.XorTraining
        The network (``training.model``), its velocity and loss history.
    learning_rate, momentum : float
    stochastic : bool
        One update per sample (True) or per epoch (False, batch).
    epochs_per_run : int
        Epochs trained by :meth:`run`.
    panel : annteach.plots.DecisionBoundary
        The right panel.
    controls : dict
        ``"learning_rate"``: FloatLogSlider; ``"momentum"``: FloatSlider;
        ``"hidden_units"``: IntSlider (changing it resets); ``"mode"``:
        ToggleButtons ``"batch"``/``"stochastic"``; ``"epochs"``: IntSlider;
        ``"step"``, ``"run"``, ``"reset"``: Buttons.
    artists : dict
        ``"loss"``: Line2D of the loss history; ``"output"``: AxesImage of the
        network output on the input grid; ``"boundary"``: its 0.5 contour.
    """

    def __init__(self, hidden_units=3, learning_rate=0.5, momentum=0.0, stochastic=False,
                 epochs_per_run=200, seed=0, epochs=0, static=False):
        self.training = views.XorTraining(hidden_units, seed)
        self.learning_rate, self.momentum = float(learning_rate), float(momentum)
        self.stochastic, self.epochs_per_run = bool(stochastic), int(epochs_per_run)
        if epochs:
            self._train(epochs)
        super().__init__(static)

    def _train(self, epochs):
        self.training.step(epochs, self.learning_rate, self.momentum, self.stochastic)

    def _draw(self):
        from ..plots import DecisionBoundary
        from ..plots.colors import TRAIN_COLOR

        ax_loss, ax_in = self.figure.subplots(1, 2)
        (line,) = ax_loss.plot([], [], color=TRAIN_COLOR, lw=2.5)
        ax_loss.set_yscale("log")
        ax_loss.set_xlabel("epoch")
        ax_loss.set_ylabel("mean error per sample")
        self.panel = DecisionBoundary(ax_in, resolution=output_grid(self.static))
        self.artists.update(loss=line, output=self.panel.image)

    def _refresh(self):
        history = np.asarray(self.training.model.loss_history)
        line = self.artists["loss"]
        line.set_data(np.arange(1, history.size + 1), history)
        ax = line.axes
        # Limits in round steps (50 epochs, decades): the background is redrawn rarely.
        ax.set_xlim(0, max(10, 50 * -(-history.size // 50)))
        if history.size:
            low = np.floor(np.log10(max(history.min(), 1e-12)))
            ax.set_ylim(10 ** low, 10 ** max(np.ceil(np.log10(history.max())), low + 1))
        else:
            ax.set_ylim(1e-3, 1)
        self.panel.set_output(self.training.grid_output(self.panel.X1, self.panel.X2))
        self.artists["boundary"] = self.panel.boundary

    def _mode(self):
        return "stochastic" if self.stochastic else "batch"

    def _captions(self):
        history = self.training.model.loss_history
        loss = f"epoch {len(history)}: loss {history[-1]:.4f}" if history else \
            "not trained yet"
        return [(self.artists["loss"].axes, loss),
                (self.panel.ax, f"{self.training.hidden_units} hidden units, {self._mode()}")]

    def _describe(self):
        history = self.training.model.loss_history
        X, T = self.training.X, self.training.T
        right = int(np.sum((self.training.model.predict_proba(X)[:, 0] > 0.5) == (T == 1)))
        trained = (f"after {len(history)} epochs the mean error per sample is "
                   f"{history[-1]:.4f} (it was {history[0]:.4f} after the first)"
                   if history else "not trained yet")
        return (f"Training explorer: a 2-{self.training.hidden_units}-1 network learning XOR "
                f"in {self._mode()} mode with learning rate {self.learning_rate:g} and "
                f"momentum {self.momentum:g}. Left: the error per epoch on a log scale; "
                f"{trained}. Right: the network's output over the input square with its "
                f"decision boundary y = 0.5; {right} of the 4 XOR samples are classified "
                "right.")

    def step(self, epochs=1):
        """Train ``epochs`` epochs with the current settings and redraw."""
        self._read_settings()
        self._train(epochs)
        self.update()

    def run(self, epochs=None, redraws=10):
        """Train ``epochs`` (default ``epochs_per_run``) epochs, redrawing ``redraws`` times."""
        self._read_settings()
        epochs = self.epochs_per_run if epochs is None else int(epochs)
        chunks = np.diff(np.linspace(0, epochs, max(1, min(redraws, epochs)) + 1).astype(int))
        for chunk in chunks:
            self._train(int(chunk))
            self.update()

    def reset(self, hidden_units=None):
        """Back to the seeded initial weights (optionally another hidden size) and redraw."""
        self.training.reset(hidden_units)
        if "hidden_units" in self.controls:
            with self._hold():
                self.controls["hidden_units"].value = self.training.hidden_units
        else:
            self.update()

    def _read_settings(self):
        c = self.controls
        if c:
            self.learning_rate, self.momentum = c["learning_rate"].value, c["momentum"].value
            self.stochastic = c["mode"].value == "stochastic"
            self.epochs_per_run = c["epochs"].value

    def _dynamic(self):
        return [self.artists["loss"], *self.panel.dynamic()]

    def _settings_changed(self):
        self._read_settings()
        self.update()

    def _make_controls(self):
        import ipywidgets as widgets

        narrow = {"style": {"description_width": "90px"}, "layout": widgets.Layout(width="300px")}
        c = self.controls
        c["learning_rate"] = widgets.FloatLogSlider(value=self.learning_rate, base=10, min=-3,
                                                    max=1, step=0.1, readout_format=".3g",
                                                    description="learning rate", **narrow)
        c["momentum"] = widgets.FloatSlider(value=self.momentum, min=0, max=0.95, step=0.05,
                                            description="momentum", **narrow)
        c["hidden_units"] = widgets.IntSlider(value=self.training.hidden_units, min=1, max=8,
                                              description="hidden units", **narrow)
        c["mode"] = widgets.ToggleButtons(options=["batch", "stochastic"],
                                          value="stochastic" if self.stochastic else "batch")
        c["epochs"] = widgets.IntSlider(value=self.epochs_per_run, min=10, max=2000, step=10,
                                        description="epochs / run", **narrow)
        for name, action in (("step", lambda: self.step(1)), ("run", self.run),
                             ("reset", self.reset)):
            c[name] = widgets.Button(description=name, layout=widgets.Layout(width="80px"))
            c[name].on_click(lambda _, action=action: action())
        self._observe("hidden_units", lambda v: self.reset(v) if
                      v != self.training.hidden_units else self.update())
        self._observe("mode", lambda v: self._settings_changed())  # the title names the mode
        left = widgets.VBox([c["learning_rate"], c["momentum"], c["hidden_units"]])
        right = widgets.VBox([c["mode"], c["epochs"],
                              widgets.HBox([c["step"], c["run"], c["reset"]])])
        return widgets.HBox([left, right])
