"""The digit explorer: a test digit, the CNN's class probabilities and its feature maps."""

import numpy as np

from .. import views
from .engine import Explorer

__all__ = ["DigitExplorer"]


class DigitExplorer(Explorer):
    """Step through test digits, or through the mistakes only, with the CNN's
    probabilities and feature maps.

    Left: the image (dark ink on a light ground); middle: the probability of
    each class (the true class in the course's truth colour, a wrong top class
    in its prediction colour, the others grey); right: the activations of a
    convolution layer, dark = strong, each map divided by the strongest
    response in this image (so all share one scale from 0 to 1). The caption
    above the figure names the image, its label and the prediction.

    The slider picks any image; "previous" and "next" step by one, and with
    "misclassified only" on they step through the misclassified images only (the
    caption then says which mistake of how many is shown).

    Parameters
    ----------
    model : CNN, optional
        Default :func:`annteach.load_pretrained_cnn`. Anything with
        ``forward(X, maps=True) -> (probabilities, feature maps)`` and
        ``predict(X) -> labels`` will do.
    images : array_like, shape (N, 28, 28) or (N, 1, 28, 28), optional
        Scaled images; default the MNIST test set (then ``labels`` too).
    labels : array_like of int, shape (N,), optional
    index : int, optional
        The image shown first.
    layer : int, optional
        The conv layer whose feature maps are shown (0: the first).
    static : bool, optional
        Draw the view once into a pyplot figure, without controls.

    Attributes
    ----------
    model : CNN
    images : ndarray, shape (N, 28, 28)
        Scaled images; ``labels`` (N,) their classes.
    index : int
        The image shown.
    mistakes_only : bool
        Whether "previous"/"next" step through the misclassified images only.
    controls : dict
        ``"index"``: IntSlider; ``"previous"``, ``"next"``: Buttons;
        ``"mistakes"``: ToggleButton "misclassified only".
    artists : dict
        ``"digit"``: AxesImage of the image; ``"bars"``: the 10 bar Rectangles
        (height = probability, colour by :func:`annteach.views.bar_roles`);
        ``"maps"``: one AxesImage per feature map (drawn by
        :func:`annteach.plots.plot_feature_maps`), holding the map divided by
        the image's strongest response.
    """

    def __init__(self, model=None, images=None, labels=None, index=0, layer=0, static=False):
        if model is None:
            from ..cnn_files import load_pretrained_cnn

            model = load_pretrained_cnn()
        if images is None:
            from ..mnist import load_mnist, scale

            images, labels = load_mnist("test")
            images = scale(images)
        images = np.asarray(images)
        if images.ndim == 4 and images.shape[1] == 1:
            images = images[:, 0]
        if labels is None or images.ndim != 3 or np.shape(labels) != images.shape[:1]:
            raise ValueError(f"need images (N, H, W) and labels (N,), got {images.shape} "
                             f"and {None if labels is None else np.shape(labels)}")
        if not 0 <= index < len(images):
            raise ValueError(f"index must be in [0, {len(images)}), got {index}")
        self.model, self.images, self.labels = model, images, np.asarray(labels)
        self.index, self.layer, self.mistakes_only = int(index), int(layer), False
        self._wrong = None
        super().__init__(static)

    def _look(self):
        """The model's class probabilities (K,) and feature maps (F, H, W) of the current image."""
        Y, maps = self.model.forward(self.images[self.index:self.index + 1], maps=True)
        return np.asarray(Y[0]), maps[self.layer][0]

    def probabilities(self):
        """The model's class probabilities for the current image, shape (K,)."""
        return self._look()[0]

    @property
    def wrong(self):
        """Indices of the misclassified images, increasing (computed on first use)."""
        if self._wrong is None:
            from ..evaluation import misclassified

            self._wrong = misclassified(self.labels, self.model.predict(self.images))
        return self._wrong

    @staticmethod
    def _bar_colors():
        from ..plots.colors import PREDICTION_COLOR, TRUTH_COLOR

        return {"truth": TRUTH_COLOR, "prediction": PREDICTION_COLOR, "other": "#BBBBBB"}

    def _draw(self):
        from matplotlib.patches import Patch

        from ..plots import plot_feature_maps
        from ..plots.colors import DIGIT_CMAP, INK

        probs, maps = self._look()
        colors = self._bar_colors()
        left, right = self.figure.subfigures(1, 2, width_ratios=[2.1, 3.0])
        ax_img, ax_bar = left.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
        digit = ax_img.imshow(self.images[0], cmap=DIGIT_CMAP, vmin=0, vmax=1,
                              interpolation="nearest")
        ax_img.set_axis_off()
        bars = ax_bar.bar(np.arange(probs.size), 0.0, color=colors["other"], edgecolor=INK,
                          linewidth=1)
        ax_bar.set_ylim(0, 1)
        ax_bar.set_xticks(np.arange(len(bars)))
        ax_bar.set_xlabel("class")
        ax_bar.set_ylabel("probability")
        ax_bar.legend(handles=[Patch(facecolor=colors[role], edgecolor=INK, label=text)
                               for role, text in (("truth", "true class"),
                                                  ("prediction", "wrong guess"))],
                      loc="upper left", bbox_to_anchor=(0.0, -0.22), ncol=1, frameon=False,
                      handlelength=1.2, borderaxespad=0)
        axes = plot_feature_maps(maps, ncols=min(6, int(np.ceil(np.sqrt(len(maps))))),
                                 fig=right)
        images = [ax.images[0] for ax in axes]
        for image in images:
            image.set_interpolation("nearest")
            image.set_clim(0, 1)  # each image's maps divided by their strongest response
        images[-1].colorbar.set_label("response / strongest")
        right.suptitle(f"feature maps of conv layer {self.layer + 1} (dark = strong)")
        self.artists.update(digit=digit, bars=list(bars), maps=images)

    def _dynamic(self):
        art = self.artists
        return [art["digit"], *art["bars"], *art["maps"]]

    def _refresh(self):
        probs, maps = self._look()
        colors = self._bar_colors()
        label = int(self.labels[self.index])
        for bar, p, role in zip(self.artists["bars"], probs, views.bar_roles(probs, label)):
            bar.set_height(float(p))
            bar.set_facecolor(colors[role])
        self.artists["digit"].set_data(self.images[self.index])
        self._strongest = max(float(maps.max()), 1e-12)
        for image, feature_map in zip(self.artists["maps"], maps):
            image.set_data(feature_map / self._strongest)
        self._probs = probs

    def _captions(self):
        label, top = int(self.labels[self.index]), int(np.argmax(self._probs))
        where = f"image {self.index}"
        if self.mistakes_only:
            position = views.position_among(self.index, self.wrong)
            if position is not None:
                where = f"mistake {position[0]} of {position[1]}: image {self.index}"
        return [(self.artists["digit"].axes, f"{where}{chr(10) if self.static else ', '}"
                                             f"label {label}"),
                (self.artists["bars"][0].axes, f"predicted {top} ({self._probs[top]:.0%})"),
                (self.artists["maps"][0].axes, "")]

    def _describe(self):
        label, probs = int(self.labels[self.index]), self._probs
        order = np.argsort(-probs, kind="stable")
        verdict = "right" if order[0] == label else "wrong"
        strongest = np.argsort([-image.get_array().max() for image in self.artists["maps"]],
                               kind="stable")[:3]
        return (f"Digit explorer, test image {self.index} of {len(self.images)}, a handwritten "
                f"{label}. The network predicts {order[0]} with probability {probs[order[0]]:.0%} "
                f"({verdict}), next {order[1]} with {probs[order[1]]:.0%}; the bars show all "
                f"{probs.size} class probabilities. Right: the {len(self.artists['maps'])} "
                f"feature maps of conv layer {self.layer + 1}, dark where a filter responds "
                f"strongly (strongest response {self._strongest:.3g}, from filters "
                f"{', '.join(map(str, strongest))}).")

    def show(self, index):
        """Show image ``index`` (the slider follows)."""
        if not 0 <= index < len(self.images):
            raise ValueError(f"index must be in [0, {len(self.images)}), got {index}")
        self.index = int(index)
        if "index" in self.controls:
            with self._hold():
                self.controls["index"].value = self.index
        else:
            self.update()

    def step(self, direction=1):
        """Show the next (``direction=1``) or previous (-1) image, or mistake when
        ``mistakes_only`` (see :func:`annteach.views.step_index`); wraps around."""
        target = views.step_index(self.index, len(self.images), direction,
                                  self.wrong if self.mistakes_only else None)
        if target is not None:
            self.show(target)

    def set_mistakes_only(self, on):
        """Step through the misclassified images only; jumps to the next one from here."""
        self.mistakes_only = bool(on)
        toggle = self.controls.get("mistakes")
        if toggle is not None:
            if self.mistakes_only and self._wrong is None:  # the first time takes seconds
                toggle.description = f"classifying {len(self.images):,} images..."
            toggle.value = self.mistakes_only
            toggle.description = f"misclassified only ({self.wrong.size})"
        if self.mistakes_only and self.index not in self.wrong:
            self.step(1)
        else:
            self.update()  # the caption says which mistake this is

    def _make_controls(self):
        import ipywidgets as widgets

        c = self.controls
        c["index"] = widgets.IntSlider(value=self.index, min=0, max=len(self.images) - 1,
                                       description="image", continuous_update=True,
                                       layout=widgets.Layout(width="480px"))
        c["previous"] = widgets.Button(description="previous", icon="arrow-left",
                                       layout=widgets.Layout(width="110px"))
        c["next"] = widgets.Button(description="next", icon="arrow-right",
                                   layout=widgets.Layout(width="110px"))
        c["mistakes"] = widgets.ToggleButton(value=False, description="misclassified only",
                                             tooltip="previous/next step through the "
                                                     "misclassified images only",
                                             layout=widgets.Layout(width="230px"))
        c["previous"].on_click(lambda _: self.step(-1))
        c["next"].on_click(lambda _: self.step(1))
        self._observe("index", self.show)
        self._observe("mistakes", self.set_mistakes_only)
        return widgets.HBox([c["index"], c["previous"], c["next"], c["mistakes"]])
