"""Tests of the training plots: learning curve, decision boundary, confusion matrix."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import annteach as at
from annteach.plots import (
    plot_confusion_matrix,
    plot_decision_boundary,
    plot_learning_curve,
)


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


def _xor_like(X):
    """Output 1 on the diagonal band |x1 - x2| > 0.5, like a solved XOR net."""
    return (np.abs(X[:, 0] - X[:, 1]) > 0.5).astype(float)


def test_decision_boundary_of_a_function():
    surface, boundary, points = plot_decision_boundary(_xor_like, resolution=11)
    ax = surface.axes
    assert ax.get_xlim() == (0, 1) and ax.get_ylim() == (0, 1)
    assert list(boundary.levels) == [0.5]
    # The four XOR samples, class 1 at (0, 1) and (1, 0), drawn unclipped at the corners.
    X, T = at.xor_dataset()
    for c in (0, 1):
        np.testing.assert_array_equal(points[c].get_offsets(), X[T == c])
        assert not points[c].get_clip_on()


def test_decision_boundary_evaluates_model_on_the_unit_square():
    seen = []

    def model(X):
        seen.append(X.copy())
        return X[:, 0]
    plot_decision_boundary(model, resolution=5, colorbar=False)
    grid = seen[0]
    assert grid.shape == (25, 2)
    assert grid.min() == 0 and grid.max() == 1
    assert len(np.unique(grid[:, 0])) == 5


def test_decision_boundary_accepts_mlp_and_two_class_probabilities():
    from annteach.plots.training import _outputs

    X = np.random.default_rng(0).uniform(0, 1, (9, 2))
    single = at.MLP([2, 3, 1], output="logistic", seed=1)
    np.testing.assert_allclose(_outputs(single, X), single.predict_proba(X)[:, 0])
    two = at.MLP([2, 3, 2], output="softmax", loss="cross_entropy", seed=1)
    np.testing.assert_allclose(_outputs(two, X), two.predict_proba(X)[:, 1])
    surface, _, points = plot_decision_boundary(two, resolution=7)
    assert surface.axes is points[0].axes
    with pytest.raises(ValueError, match="one output"):
        _outputs(at.MLP([2, 3, 3], output="softmax", loss="cross_entropy"), X)


def test_decision_boundary_without_crossing_draws_no_line():
    _, boundary, _ = plot_decision_boundary(lambda X: np.full(len(X), 0.2), resolution=5)
    assert len(boundary.levels) == 0


@pytest.mark.parametrize("model, match", [
    (42, "predict_proba"),
    (lambda X: np.zeros(3), "expected one output"),
])
def test_decision_boundary_rejects_bad_models(model, match):
    with pytest.raises(ValueError, match=match):
        plot_decision_boundary(model, resolution=5)


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
