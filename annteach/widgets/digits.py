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
        ``"maps"``: one AxesImage of all feature maps, tiled (see
        :meth:`feature_maps` for the maps themselves).
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
        from matplotlib import colormaps
        from matplotlib.patches import Patch

        from ..plots.colors import DIGIT_CMAP, INK
        from ..plots.style import FONT_PT

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
        # All maps as one image (one draw per redraw instead of one per map), each
        # numbered above its tile; the gaps between tiles are NaN.
        ax_maps = right.subplots()
        self._tiles = min(6, int(np.ceil(np.sqrt(len(maps)))))
        mosaic = self._mosaic(maps)
        cmap = colormaps[DIGIT_CMAP].with_extremes(bad=(1, 1, 1, 0))  # gaps: see-through
        image = ax_maps.imshow(mosaic, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
        h, w = np.add(maps.shape[1:], (self._PAD[0] + self._PAD[2], 2 * self._PAD[1]))
        for f in range(len(maps)):
            row, col = divmod(f, self._tiles)
            ax_maps.text(col * w + w / 2 - 0.5, row * h + self._PAD[0] - 1.0, str(f),
                         ha="center", va="bottom", fontsize=FONT_PT["annotation"])
        ax_maps.set_axis_off()
        ax_maps.set_title(f"feature maps, layer={self.layer} (dark = strong)")
        right.colorbar(image, ax=ax_maps, label="response / strongest", shrink=0.9)
        self.artists.update(digit=digit, bars=list(bars), maps=image)

    #: Padding of each feature map in the mosaic, in map pixels: top (room for its
    #: number), sides, bottom.
    _PAD = (7, 1, 1)

    def _mosaic(self, maps):
        """The feature maps (F, H, W), each divided by the strongest response, as one
        image of tiles in rows of ``self._tiles``, NaN between them."""
        from ..plots import tile_images

        top, side, bottom = self._PAD
        padded = np.pad(maps / self._strongest_of(maps), ((0, 0), (top, bottom), (side, side)),
                        constant_values=np.nan)
        return tile_images(padded, -(-len(maps) // self._tiles), self._tiles, fill=np.nan)

    @staticmethod
    def _strongest_of(maps):
        return max(float(np.max(maps)), 1e-12)

    def _dynamic(self):
        return [self.artists["digit"], *self.artists["bars"], self.artists["maps"]]

    def _refresh(self):
        probs, maps = self._look()
        colors = self._bar_colors()
        label = int(self.labels[self.index])
        for bar, p, role in zip(self.artists["bars"], probs, views.bar_roles(probs, label)):
            bar.set_height(float(p))
            bar.set_facecolor(colors[role])
        self.artists["digit"].set_data(self.images[self.index])
        self.artists["maps"].set_data(self._mosaic(maps))
        self._strongest, self._maps, self._probs = self._strongest_of(maps), maps, probs

    def feature_maps(self):
        """The feature maps shown, shape (F, H, W) (before the division by the strongest)."""
        return self._maps

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
                (self.artists["maps"].axes, "")]

    def _describe(self):
        label, probs = int(self.labels[self.index]), self._probs
        order = np.argsort(-probs, kind="stable")
        verdict = "right" if order[0] == label else "wrong"
        strongest = np.argsort(-self._maps.reshape(len(self._maps), -1).max(axis=1),
                               kind="stable")[:3]
        return (f"Digit explorer, test image {self.index} of {len(self.images)}, a handwritten "
                f"{label}. The network predicts {order[0]} with probability {probs[order[0]]:.0%} "
                f"({verdict}), next {order[1]} with {probs[order[1]]:.0%}; the bars show all "
                f"{probs.size} class probabilities. Right: the {len(self._maps)} "
                f"feature maps of conv layer {self.layer} (counted from 0), dark where a "
                f"filter responds strongly (strongest response {self._strongest:.3g}, from filters "
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
