"""One colour per concept, the same in every lecture and explorer.

Category colours come from the Okabe-Ito palette (made for viewers with a colour-vision
deficiency); every group of colours that appears together in a figure stays at least
:data:`MIN_DELTA_E` (CIEDE2000) apart under normal vision, deuteranopia and protanopia
(checked by ``tests/test_plots_colors.py`` with :mod:`annteach.plots.colorvision`).

=====================  ==================================  ===========================
concept                colours                             where
=====================  ==================================  ===========================
class 0 / class 1      blue ``#0072B2`` / vermillion       XOR samples, decision
                       ``#D55E00``                         boundaries
network output         :func:`output_cmap`: class-0 blue   decision boundaries,
                       -> light grey -> class-1 vermillion explorers
weights < 0 / > 0      purple ``#762A83`` / green          filters, kernels,
                       ``#1B7837`` (:func:`weight_cmap`)   network diagram
XOR sample n           orange, sky blue, bluish green,     per-sample errors
                       reddish purple (+ a line style each)
truth / prediction     bluish green ``#009E73`` /          digit galleries,
                       reddish purple ``#CC79A7``          probability bars
train / test           black / orange ``#E69F00``          learning curves
sequential data        ``viridis``                         error surfaces, counts
digits                 ``gray_r``: dark ink, light ground  every digit image
=====================  ==================================  ===========================
"""

__all__ = [
    "CLASS_COLORS",
    "DIGIT_CMAP",
    "INK",
    "MIN_DELTA_E",
    "NEUTRAL",
    "OKABE_ITO",
    "PREDICTION_COLOR",
    "SAMPLE_COLORS",
    "SAMPLE_LINESTYLES",
    "SAMPLE_MARKERS",
    "SEQUENTIAL_CMAP",
    "TEST_COLOR",
    "TRAIN_COLOR",
    "TRUTH_COLOR",
    "WEIGHT_COLORS",
    "concept_groups",
    "contrast_ratio",
    "output_cmap",
    "text_color",
    "weight_cmap",
]

#: The Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2002).
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

#: Colours of class 0 and class 1 (targets 0 and 1).
CLASS_COLORS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"])
#: Negative and positive weights (the ends of :func:`weight_cmap`).
WEIGHT_COLORS = ("#762A83", "#1B7837")
#: XOR sample n (in the order of ``annteach.xor_dataset()``), with a line style and marker each
#: so the samples stay apart in grey print too.
SAMPLE_COLORS = (OKABE_ITO["orange"], OKABE_ITO["sky blue"], OKABE_ITO["bluish green"],
                 OKABE_ITO["reddish purple"])
SAMPLE_LINESTYLES = ("-", "--", "-.", ":")
SAMPLE_MARKERS = ("o", "s", "^", "D")
#: The true class and a (wrong) prediction.
TRUTH_COLOR = OKABE_ITO["bluish green"]
PREDICTION_COLOR = OKABE_ITO["reddish purple"]
#: Training and test data.
TRAIN_COLOR = OKABE_ITO["black"]
TEST_COLOR = OKABE_ITO["orange"]
#: Text, edges and the sum of several curves.
INK = "#000000"
#: Light neutral (middle of the diverging maps, masked cells).
NEUTRAL = "#F2F2F2"
#: Sequential data (errors, counts).
SEQUENTIAL_CMAP = "viridis"
#: Digits: dark ink on a light ground, always.
DIGIT_CMAP = "gray_r"

#: Smallest CIEDE2000 difference between colours shown together, under normal vision and
#: simulated deuteranopia and protanopia. About 1 is just noticeable between two large patches
#: side by side; thin lines and small markers on a projector need several times that, so the
#: course asks for 10.
MIN_DELTA_E = 10.0


def concept_groups():
    """The colour groups that appear together in one figure, by name.

    Returns
    -------
    dict of str -> tuple of str
        Each group must stay distinguishable (see :data:`MIN_DELTA_E`).
    """
    return {
        "classes": CLASS_COLORS,
        "weights": WEIGHT_COLORS,
        "XOR samples": SAMPLE_COLORS,
        "truth and prediction": (TRUTH_COLOR, PREDICTION_COLOR),
        "train and test": (TRAIN_COLOR, TEST_COLOR),
        # the output map's ends with the points drawn on it
        "classes on white": (*CLASS_COLORS, "#FFFFFF"),
    }


def _luminance(color):
    from .colorvision import _linear, to_rgb

    r, g, b = _linear(to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground, background="#FFFFFF"):
    """WCAG 2.1 contrast ratio of two ``"#rrggbb"`` colours (1 to 21)."""
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_color(color, background="#FFFFFF", ratio=4.5):
    """``color`` darkened just enough for text on ``background`` (WCAG AA: 4.5:1).

    Returns
    -------
    str
        ``"#rrggbb"``; ``color`` itself when it already meets the ratio.
    """
    from .colorvision import _gamma, _linear, to_rgb

    linear = _linear(to_rgb(color))
    for step in range(101):
        rgb = _gamma(linear * (1 - step / 100))
        candidate = "#" + "".join(f"{round(255 * v):02X}" for v in rgb)
        if contrast_ratio(candidate, background) >= ratio:
            return candidate
    return "#000000"


def _diverging(name, low, high):
    from matplotlib.colors import LinearSegmentedColormap

    # an odd number of colours, so that the middle value gets exactly the neutral colour
    return LinearSegmentedColormap.from_list(name, [low, NEUTRAL, high], N=257)


def output_cmap():
    """The network's output: class-0 colour at 0, light grey at 0.5, class-1 colour at 1.

    Returns
    -------
    matplotlib.colors.LinearSegmentedColormap
        Named ``"annteach_output"``; use it with ``vmin=0, vmax=1`` for a logistic output.
    """
    return _diverging("annteach_output", *CLASS_COLORS)


def weight_cmap():
    """Weights: purple for negative, light grey at 0, green for positive.

    Returns
    -------
    matplotlib.colors.LinearSegmentedColormap
        Named ``"annteach_weights"``; use it with limits symmetric around 0.
    """
    return _diverging("annteach_weights", *WEIGHT_COLORS)
