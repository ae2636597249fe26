"""Tests of the training plots: learning curve, confusion matrix."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import annteach as at
from annteach.plots import plot_confusion_matrix, plot_learning_curve


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_learning_curve_plots_epochs_from_one():
    line = plot_learning_curve([0.5, 0.25, 0.125])
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(line.get_ydata(), [0.5, 0.25, 0.125])
    assert line.axes.get_yscale() == "log"


def test_learning_curves_share_an_axes_with_legend():
    _, ax = plt.subplots()
    plot_learning_curve([1.0, 0.5], ax=ax, label="a", log=False)
    plot_learning_curve([2.0, 1.0], ax=ax, label="b", log=False)
    assert len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    assert ax.get_yscale() == "linear"


@pytest.mark.parametrize("history", [[], [[1.0, 2.0]]])
def test_learning_curve_rejects_bad_history(history):
    with pytest.raises(ValueError, match="loss_history"):
        plot_learning_curve(history)


def test_confusion_matrix_counts_true_rows_predicted_columns():
    labels = np.array([0, 0, 1, 2, 2, 2])
    predictions = np.array([0, 1, 1, 2, 0, 2])
    image = plot_confusion_matrix(labels, predictions)
    expected = np.array([[1, 1, 0],
                         [0, 1, 0],
                         [1, 0, 2]])
    np.testing.assert_array_equal(image.get_array(), expected)
    texts = sorted((t.get_position(), t.get_text()) for t in image.axes.texts)
    assert len(texts) == 5  # the non-zero cells
    assert ((2, 2), "2") in texts  # column = predicted, row = true
    assert image.axes.get_xlabel() == "predicted class"


def test_confusion_matrix_n_classes_and_no_annotation():
    image = plot_confusion_matrix(np.array([1, 1]), np.array([1, 0]), n_classes=4,
                                  annotate=False)
    assert image.get_array().shape == (4, 4)
    assert image.get_array().data.sum() == 2
    # the diagonal (correct predictions) is masked: the colours show only the errors
    np.testing.assert_array_equal(image.get_array().mask, np.eye(4, dtype=bool))
    assert image.get_array().sum() == 1
    assert not image.axes.texts
    assert at.plots.alt_text(image.axes.figure) == (
        "Confusion matrix of 2 predictions over 4 classes, true class down, predicted class "
        "across: 1 correct on the grey diagonal, 1 errors coloured off it; most frequent: "
        "1 taken for 0 (1).")


@pytest.mark.parametrize("labels, predictions, kwargs", [
    (np.array([0, 1]), np.array([0]), {}),
    (np.array([0.0, 1.0]), np.array([0, 1]), {}),
    (np.array([0, 3]), np.array([0, 1]), {"n_classes": 3}),
    (np.array([0, -1]), np.array([0, 1]), {}),
])
def test_confusion_matrix_rejects_bad_input(labels, predictions, kwargs):
    with pytest.raises(ValueError):
        plot_confusion_matrix(labels, predictions, **kwargs)


def test_errors_vs_params_labels_every_model():
    points = at.plots.plot_errors_vs_params(["linear", "MLP", "CNN"], [812, 392, 56],
                                            [7850, 79510, 44426], n_test=10_000)
    np.testing.assert_array_equal(points.get_offsets(), [[7850, 812], [79510, 392],
                                                         [44426, 56]])
    ax = points.axes
    assert ax.get_xscale() == "log"
    assert ax.get_ylabel() == "test errors (of 10,000)"
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["linear\n812 errors, 7,850 parameters", "MLP\n392 errors, 79,510 parameters",
                     "CNN\n56 errors, 44,426 parameters"]
    assert "CNN 56 errors with 44,426 parameters" in at.plots.alt_text(ax.figure)
    with pytest.raises(ValueError, match="one error count"):
        at.plots.plot_errors_vs_params(["a"], [1, 2], [3, 4])


@pytest.mark.parametrize("errors, n_params", [
    ([1208, 232, 61], [7850, 79510, 58106]),       # the recorded comparison
    ([728, 237, 74], [7850, 79510, 58106]),        # the one without shifts
    ([812, 392, 56], [7850, 79510, 44426]),        # an earlier recording
])
def test_errors_vs_params_labels_cover_no_point_and_stay_inside(errors, n_params):
    at.plots.use_course_style()
    points = at.plots.plot_errors_vs_params(["linear", "MLP", "CNN"], errors, n_params,
                                            n_test=10_000)
    ax, fig = points.axes, points.axes.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    centres = ax.transData.transform(points.get_offsets())
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    for i, box in enumerate(boxes):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, ax.texts[i].get_text()
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1, ax.texts[i].get_text()
        for j, (x, y) in enumerate(centres):
            assert not box.contains(x, y), (ax.texts[i].get_text(), j)
