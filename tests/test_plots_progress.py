"""Tests of the training-progress plots: the drawing, the text line, and the live figure
in a notebook executed by nbconvert."""

import subprocess
import sys

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest

from annteach.plots import (
    FIGSIZE,
    LiveTrainingPlot,
    alt_text,
    plot_training_progress,
    progress_line,
    smallest_font_pt,
)
from annteach.plots.colors import TEST_COLOR, TRAIN_COLOR
from annteach.plots.style import MIN_FONT_PT, course_style

HISTORY = [
    {"epoch": 0.5, "loss": 0.53, "accuracy": 0.85, "test_accuracy": 0.9774, "seconds": 5.0},
    {"epoch": 1.0, "loss": 0.11, "accuracy": 0.966, "test_accuracy": 0.9843, "seconds": 10.5},
    {"epoch": 1.5, "loss": 0.068, "accuracy": 0.978, "test_accuracy": 0.9905, "seconds": 16.0},
    {"epoch": 2.0, "loss": 0.05, "accuracy": 0.984, "test_accuracy": 0.9911, "seconds": 21.25},
]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_progress_draws_loss_and_accuracies_in_percent():
    lines = plot_training_progress(HISTORY, epochs=2, target=0.99)
    assert set(lines) == {"loss", "accuracy", "target"}
    np.testing.assert_array_equal(lines["loss"].get_xdata(), [0.5, 1.0, 1.5, 2.0])
    np.testing.assert_array_equal(lines["loss"].get_ydata(), [0.53, 0.11, 0.068, 0.05])
    np.testing.assert_allclose(lines["accuracy"].get_ydata(), [97.74, 98.43, 99.05, 99.11])
    assert lines["target"].get_ydata()[0] == pytest.approx(99)
    ax_loss, ax_acc = lines["loss"].axes, lines["accuracy"].axes
    assert ax_loss is not ax_acc and ax_loss.get_ylim()[0] == 0
    assert "test images" in ax_acc.get_title()
    assert ax_acc.get_xlim() == pytest.approx((0, 2.08)) and ax_acc.get_ylim() == (97, 100)


def test_progress_without_test_accuracy_into_given_axes():
    fig, axes = plt.subplots(1, 2)
    history = [{k: v for k, v in e.items() if k != "test_accuracy"} for e in HISTORY[:2]]
    lines = plot_training_progress(history, axes=axes)
    assert set(lines) == {"loss", "accuracy"} and lines["loss"].axes is axes[0]
    np.testing.assert_allclose(lines["accuracy"].get_ydata(), [85.0, 96.6])
    assert "training batches" in axes[1].get_title() and axes[1].get_ylim() == (85, 100)
    assert axes[1].get_xlim() == pytest.approx((0, 1.04))


def test_progress_in_the_course_style_says_what_it_shows():
    with course_style():
        lines = plot_training_progress(HISTORY, epochs=2, target=0.99)
    fig = lines["loss"].figure
    assert tuple(fig.get_size_inches()) == FIGSIZE["wide"]
    assert lines["loss"].get_color() == TRAIN_COLOR and lines["accuracy"].get_color() == TEST_COLOR
    assert smallest_font_pt(fig) >= MIN_FONT_PT
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "0.050" in texts and "99.11 %" in texts  # the latest values on the figure
    alt = alt_text(fig)
    assert "from 0.530 down to 0.050 after 21.2 s" in alt
    assert "from 97.74 % to 99.11 %" in alt and "99 %" in alt


def test_progress_line_says_when_the_target_was_reached():
    assert progress_line(HISTORY, target=0.99) == (
        "epoch 2.00: training loss 0.0500, test accuracy 99.11 % after 21.2 s "
        "(99 % first reached at epoch 1.50, 16.0 s)")
    assert progress_line(HISTORY[:2], target=0.99).endswith("after 10.5 s")
    assert progress_line([]) == "no training step yet"


def test_progress_line_gives_the_cpu_time_when_recorded():
    history = [{**entry, "cpu_seconds": 2 * entry["seconds"] + 0.04} for entry in HISTORY]
    assert progress_line(history, target=0.99) == (
        "epoch 2.00: training loss 0.0500, test accuracy 99.11 % after 21.2 s (CPU 42.5 s) "
        "(99 % first reached at epoch 1.50, 16.0 s)")


def test_live_plot_outside_a_notebook_only_draws():
    live = LiveTrainingPlot(epochs=2, target=0.99)
    for n in range(1, len(HISTORY) + 1):
        live(HISTORY[:n])
    np.testing.assert_array_equal(live.lines["loss"].get_xdata(), [0.5, 1.0, 1.5, 2.0])
    assert [len(ax.lines) for ax in live.axes] == [1, 2]  # redrawn, not drawn over
    assert plt.get_fignums() == []  # not a pyplot figure: nothing is shown twice


@pytest.mark.roundtrip
def test_live_plot_in_an_executed_notebook_leaves_one_figure_and_one_line(tmp_path):
    cell = (
        "import matplotlib.pyplot as plt\n"
        "import annteach as at\n"
        "at.plots.use_course_style()\n"
        f"history = {HISTORY!r}\n"
        "live = at.plots.LiveTrainingPlot(epochs=2, target=0.99)\n"
        "for n in range(1, 5):\n"
        "    live(history[:n])\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    path = tmp_path / "live.ipynb"
    nbformat.write(nb, path)
    done = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
                           "--inplace", str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    outputs = nbformat.read(path, as_version=4).cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data", "display_data"]
    assert "image/png" in outputs[0].data
    shown = outputs[0].metadata["image/png"]  # as the course style shows figures
    assert "to 99.11 %" in shown["alt"] and shown["annteach"]["font_pt"] >= MIN_FONT_PT
    assert shown["width"] > shown["height"]
    assert outputs[1].data == {"text/plain": progress_line(HISTORY, target=0.99)}
