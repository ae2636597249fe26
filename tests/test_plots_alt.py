"""Text alternatives of figures: set by helpers or notebooks, composed per figure."""

import matplotlib.pyplot as plt
import pytest

from annteach.plots import alt


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_figure_description_wins_over_panels():
    fig, (left, right) = plt.subplots(1, 2)
    alt.describe(left, "Left thing")
    alt.describe(right, "Right thing.")
    assert alt.alt_text(fig) == "2 panels. First panel: Left thing. Second panel: Right thing."
    alt.describe(fig, "  Both   things,\n side by side. ")
    assert alt.alt_text(fig) == "Both things, side by side."


def test_panels_are_read_top_to_bottom_then_left_to_right():
    fig, axes = plt.subplots(2, 2)
    for name, ax in zip(["a", "b", "c", "d"], axes.ravel()[::-1]):
        alt.describe(ax, name)
    assert alt.alt_text(fig) == ("4 panels. First panel: d. Second panel: c. "
                                 "Third panel: b. Fourth panel: a.")


def test_undescribed_and_hidden_panels():
    fig, (left, right) = plt.subplots(1, 2)
    assert alt.alt_text(fig) is None
    alt.describe(left, "Only this.")
    assert alt.alt_text(fig) == "Only this."
    alt.describe(right, "Hidden.")
    right.set_visible(False)
    assert alt.alt_text(fig) == "Only this."


def test_default_does_not_overwrite():
    fig, ax = plt.subplots()
    alt.describe(ax, "The notebook's words.")
    assert alt.describe_axes_default(ax, "A helper's default.") == "The notebook's words."
    fig2, ax2 = plt.subplots()
    assert alt.describe_axes_default(ax2, "A helper's default.") == "A helper's default."
    # a later helper drawing into the same axes replaces the earlier default
    assert alt.describe_axes_default(ax2, "The later helper.") == "The later helper."


def test_bad_descriptions_are_rejected():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="non-empty"):
        alt.describe(ax, "   ")
    with pytest.raises(TypeError, match="Figure or Axes"):
        alt.describe("not a figure", "text")
