"""The course palette: colour-vision simulation, CIEDE2000, and the palette's distinctness."""

import numpy as np
import pytest

from annteach.plots import colors
from annteach.plots.colorvision import (
    CVD_MATRICES,
    ciede2000,
    closest_pair,
    simulate_cvd,
    srgb_to_lab,
    to_rgb,
)

# Sharma, Wu and Dalal (2005), Table 1: CIELAB pairs and their CIEDE2000 difference.
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
    ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    ((50.0, 2.5, 0.0), (58.0, 24.0, 15.0), 19.4535),
    ((84.25, 5.74, 96.0), (84.46, 8.88, 96.49), 1.6743),
    ((84.25, 5.74, 96.0), (84.52, 5.75, 93.09), 0.5887),
]
VISIONS = [None, "deuteranopia", "protanopia"]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA)
def test_ciede2000_matches_published_values(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_lab_of_white_black_and_primaries():
    lab = srgb_to_lab(["#FFFFFF", "#000000", "#FF0000"])
    np.testing.assert_allclose(lab[0], [100, 0, 0], atol=1e-3)
    np.testing.assert_allclose(lab[1], [0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(lab[2], [53.24, 80.09, 67.20], atol=0.02)


def test_simulation_keeps_greys_and_merges_red_with_green():
    for kind in CVD_MATRICES:
        np.testing.assert_allclose(CVD_MATRICES[kind].sum(axis=1), 1, atol=1e-5)
        np.testing.assert_allclose(simulate_cvd(["#808080"], kind), to_rgb(["#808080"]),
                                   atol=1e-4)
    # matplotlib's red and green: far apart for normal vision, too close for deuteranopes
    assert closest_pair(["#D62728", "#2CA02C"])[2] > 60
    assert closest_pair(["#D62728", "#2CA02C"], "deuteranopia")[2] < colors.MIN_DELTA_E
    # vermillion and olive: too close for both deficiencies
    assert closest_pair(["#D55E00", "#6B8E23"])[2] > 40
    for kind in ("deuteranopia", "protanopia"):
        assert closest_pair(["#D55E00", "#6B8E23"], kind)[2] < colors.MIN_DELTA_E


def test_bad_colours_are_rejected():
    with pytest.raises(ValueError, match="rrggbb"):
        to_rgb(["red"])
    with pytest.raises(ValueError, match="deficiency"):
        simulate_cvd("#000000", "tritanopia")
    with pytest.raises(ValueError, match="two colours"):
        closest_pair(["#000000"])


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("group", sorted(colors.concept_groups()))
def test_colours_shown_together_stay_distinguishable(group, vision):
    first, second, difference = closest_pair(colors.concept_groups()[group], vision)
    assert difference >= colors.MIN_DELTA_E, (group, vision, first, second, difference)


def test_categories_come_from_okabe_ito():
    okabe = set(colors.OKABE_ITO.values())
    assert set(colors.CLASS_COLORS) <= okabe
    assert set(colors.SAMPLE_COLORS) <= okabe
    assert {colors.TRUTH_COLOR, colors.PREDICTION_COLOR, colors.TRAIN_COLOR,
            colors.TEST_COLOR} <= okabe
    assert len(set(colors.SAMPLE_COLORS)) == len(colors.SAMPLE_LINESTYLES) == 4


def test_diverging_maps_end_in_their_concept_colours():
    from matplotlib.colors import to_hex

    out, weights = colors.output_cmap(), colors.weight_cmap()
    assert to_hex(out(0.0)).upper() == colors.CLASS_COLORS[0]
    assert to_hex(out(1.0)).upper() == colors.CLASS_COLORS[1]
    assert to_hex(weights(0.0)).upper() == colors.WEIGHT_COLORS[0]
    assert to_hex(weights(1.0)).upper() == colors.WEIGHT_COLORS[1]
    # the middle of each map is light, its ends are not
    lab = srgb_to_lab([to_hex(out(0.5)), to_hex(weights(0.5))])
    assert (lab[:, 0] > 90).all()


def test_contrast_ratio_and_readable_text_colours():
    assert colors.contrast_ratio("#000000") == pytest.approx(21)
    assert colors.contrast_ratio("#FFFFFF") == pytest.approx(1)
    assert colors.contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)
    for color in (colors.TRUTH_COLOR, colors.PREDICTION_COLOR, *colors.SAMPLE_COLORS):
        assert colors.contrast_ratio(color) < 4.5  # the plain colours are too light for text
        darker = colors.text_color(color)
        assert 4.5 <= colors.contrast_ratio(darker) < 4.8
    assert colors.text_color("#000000") == "#000000"
