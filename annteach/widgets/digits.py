"""The digit explorer: a test digit, the CNN's class probabilities and its feature maps."""

import numpy as np

from .. import views
from .engine import Explorer

__all__ = ["DigitExplorer"]


class DigitExplorer(Explorer):
    """Browse test digits with the CNN's probabilities and feature maps.

    Left: the image; middle: the probability of each class (correct class
    green, a wrong top class red, the others grey); right: the activations of
    a convolution layer (all on one scale, dark = strong). With
    "misclassified only" on, "previous"/"next" jump between the mistakes.

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
    only_wrong : bool
        Whether "previous"/"next" step through the misclassified images only.
    controls : dict
        ``"index"``: IntSlider; ``"misclassified"``: ToggleButton;
        ``"previous"``, ``"next"``: Buttons.
    artists : dict
        ``"digit"``: AxesImage of the image; ``"bars"``: the 10 bar Rectangles
        (height = probability, colour from :func:`annteach.views.bar_colors`);
        ``"maps"``: one AxesImage per feature map, on one colour scale
        (drawn by :func:`annteach.plots.plot_feature_maps`).
    """

    figsize = (9, 3.0)

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
        self.index, self.layer, self.only_wrong = int(index), int(layer), False
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

    def _draw(self):
        from ..plots import plot_feature_maps

        probs, maps = self._look()
        left, right = self.figure.subfigures(1, 2, width_ratios=[2.1, 3.0])
        ax_img, ax_bar = left.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
        digit = ax_img.imshow(self.images[0], cmap="gray_r", vmin=0, vmax=1)
        ax_img.set_axis_off()
        bars = ax_bar.bar(np.arange(probs.size), 0.0, color=views.BAR_COLORS["other"])
        ax_bar.set_ylim(0, 1)
        ax_bar.set_xticks(np.arange(len(bars)))
        ax_bar.set_xlabel("class")
        ax_bar.set_ylabel("probability")
        axes = plot_feature_maps(maps, ncols=min(8, -(-len(maps) // 2)), fig=right)
        right.suptitle(f"feature maps of conv layer {self.layer + 1} (dark = strong)",
                       fontsize=11)
        self.artists.update(digit=digit, bars=list(bars), maps=[ax.images[0] for ax in axes])

    def _dynamic(self):
        art = self.artists
        return [art["digit"], *art["bars"], *art["maps"], art["digit"].axes.title,
                art["bars"][0].axes.title]

    def _refresh(self):
        probs, maps = self._look()
        label = int(self.labels[self.index])
        for bar, p, color in zip(self.artists["bars"], probs, views.bar_colors(probs, label)):
            bar.set_height(float(p))
            bar.set_color(color)
        self.artists["digit"].set_data(self.images[self.index])
        vmax = max(float(maps.max()), 1e-12)  # one scale for all, as plots.plot_feature_maps
        for image, feature_map in zip(self.artists["maps"], maps):
            image.set_data(feature_map)
            image.set_clim(0, vmax)
        top = int(np.argmax(probs))
        self.artists["digit"].axes.set_title(f"image {self.index}\nlabel {label}", fontsize=11)
        self.artists["bars"][0].axes.set_title(f"predicted {top} ({probs[top]:.0%})",
                                               fontsize=11)

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
        """Show the next (``direction=1``) or previous (-1) image, or misclassified image
        when ``only_wrong``; wraps around at the ends."""
        if self.only_wrong:
            wrong = self.wrong
            if wrong.size == 0:
                return
            later = wrong[wrong > self.index] if direction > 0 else wrong[wrong < self.index]
            target = (later[0] if direction > 0 else later[-1]) if later.size else \
                (wrong[0] if direction > 0 else wrong[-1])
        else:
            target = (self.index + direction) % len(self.images)
        self.show(int(target))

    def set_only_wrong(self, on):
        """Page through the misclassified images only; jumps to the first one from here."""
        self.only_wrong = bool(on)
        toggle = self.controls.get("misclassified")
        if toggle is not None:
            toggle.value = self.only_wrong
            if self.only_wrong and self._wrong is None:  # the first time takes seconds
                toggle.description = f"classifying {len(self.images):,} images..."
                toggle.description = f"misclassified only ({self.wrong.size})"
        if self.only_wrong and self.index not in self.wrong:
            self.step(1)

    def _make_controls(self):
        import ipywidgets as widgets

        c = self.controls
        c["index"] = widgets.IntSlider(value=self.index, min=0, max=len(self.images) - 1,
                                       description="image", continuous_update=True)
        c["misclassified"] = widgets.ToggleButton(value=False, description="misclassified only",
                                                  tooltip="previous/next skip to mistakes",
                                                  layout=widgets.Layout(width="220px"))
        c["previous"] = widgets.Button(description="previous", layout=widgets.Layout(width="90px"))
        c["next"] = widgets.Button(description="next", layout=widgets.Layout(width="90px"))
        c["previous"].on_click(lambda _: self.step(-1))
        c["next"].on_click(lambda _: self.step(1))
        self._observe("index", self.show)
        self._observe("misclassified", self.set_only_wrong)
        return widgets.HBox([c["index"], c["previous"], c["next"], c["misclassified"]])
