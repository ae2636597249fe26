"""Tests of the decision-boundary drawing shared by the plots and the explorers."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import annteach as at
from annteach import views
from annteach.plots import DecisionBoundary, plot_decision_boundary


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _xor_like(X):
    """Output 1 on the diagonal band |x1 - x2| > 0.5, like a solved XOR net."""
    return (np.abs(X[:, 0] - X[:, 1]) > 0.5).astype(float)


def test_decision_boundary_of_a_function():
    image, boundary, points = plot_decision_boundary(_xor_like, resolution=11)
    ax = image.axes
    assert ax.get_xlim() == (0, 1) and ax.get_ylim() == (0, 1)
    assert list(boundary.levels) == [0.5]
    X1, X2 = views.input_grid(11)
    np.testing.assert_array_equal(image.get_array(), (np.abs(X1 - X2) > 0.5).astype(float))
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


def test_decision_boundary_shows_the_probability_of_class_one():
    X1, X2 = views.input_grid(7)
    grid = np.column_stack([X1.ravel(), X2.ravel()])
    single = at.MLP([2, 3, 1], output="logistic", seed=1)
    image, _, _ = plot_decision_boundary(single, resolution=7)
    np.testing.assert_allclose(image.get_array(), single.predict_proba(grid)[:, 0].reshape(7, 7))
    two = at.MLP([2, 3, 2], output="softmax", loss="cross_entropy", seed=1)
    image, _, points = plot_decision_boundary(two, resolution=7)
    np.testing.assert_allclose(image.get_array(), two.predict_proba(grid)[:, 1].reshape(7, 7))
    assert image.axes is points[0].axes
    with pytest.raises(ValueError, match="one output"):
        plot_decision_boundary(at.MLP([2, 3, 3], output="softmax", loss="cross_entropy"))


def test_decision_boundary_without_crossing_draws_no_line():
    _, boundary, _ = plot_decision_boundary(lambda X: np.full(len(X), 0.2), resolution=5)
    assert len(boundary.levels) == 0


def test_colour_scale_covers_tanh_outputs():
    image, _, _ = plot_decision_boundary(lambda X: np.tanh(3 * (X[:, 0] - 0.5)), threshold=0,
                                         resolution=9)
    lo, hi = image.get_clim()
    assert lo <= np.tanh(-1.5) and hi == 1  # the colour bar shows the outputs, no more


@pytest.mark.parametrize("model, match", [
    (42, "predict_proba"),
    (lambda X: np.zeros(3), "expected one output"),
])
def test_decision_boundary_rejects_bad_models(model, match):
    with pytest.raises(ValueError, match=match):
        plot_decision_boundary(model, resolution=5)


def test_redrawing_replaces_the_boundary_and_checks_the_shape():
    _, ax = plt.subplots()
    drawing = DecisionBoundary(ax, resolution=5, colorbar=False)
    drawing.set_output(drawing.X1)
    first = drawing.boundary
    drawing.set_output(drawing.X2)
    assert first.axes is None and drawing.boundary.axes is ax  # the old line is gone
    np.testing.assert_array_equal(drawing.image.get_array(), drawing.X2)
    with pytest.raises(ValueError, match=r"grid's shape \(5, 5\)"):
        drawing.set_output(np.zeros((4, 4)))


def test_output_colours_are_the_class_colours_with_grey_at_the_threshold():
    from matplotlib.colors import to_hex

    from annteach.plots.colors import CLASS_COLORS, INK, NEUTRAL

    for threshold, lo, hi in [(0.5, 0.0, 1.0), (0.0, -0.8, 1.0)]:
        image, boundary, points = plot_decision_boundary(
            lambda X, lo=lo, hi=hi: lo + (hi - lo) * X[:, 0], threshold=threshold,
            resolution=5, colorbar=False)
        colour = [to_hex(image.cmap(image.norm(v))).upper() for v in (lo, threshold, hi)]
        assert colour == [CLASS_COLORS[0].upper(), NEUTRAL.upper(), CLASS_COLORS[1].upper()]
        assert to_hex(boundary.get_edgecolor()[0]) == INK.lower()
        for c in (0, 1):  # the samples keep their class's colour and marker, outlined in ink
            assert to_hex(points[c].get_facecolor()[0]).upper() == CLASS_COLORS[c].upper()
            assert to_hex(points[c].get_edgecolor()[0]) == INK.lower()
        assert points[0].get_paths()[0] != points[1].get_paths()[0]


def test_a_figure_of_its_own_keys_classes_and_boundary():
    image, _, _ = plot_decision_boundary(_xor_like, resolution=11)
    legend = image.axes.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "class 0 ($t = 0$)", "class 1 ($t = 1$)", "$y = 0.5$"]
    _, ax = plt.subplots()
    image, _, _ = plot_decision_boundary(_xor_like, ax=ax, resolution=11)
    assert image.axes.get_legend() is None and "0.5" in ax.get_title()
    ticks = [t.get_text() for t in image.colorbar.ax.get_yticklabels()]
    assert ticks == ["0", "0.5", "1"]


def test_the_text_alternative_counts_the_samples_on_their_side():
    image, _, _ = plot_decision_boundary(_xor_like, resolution=11)
    text = at.plots.alt_text(image.figure)
    assert "puts 4 of the 4 XOR samples on their class's side" in text
    image, _, _ = plot_decision_boundary(lambda X: X[:, 0], resolution=11)
    assert "puts 2 of the 4" in at.plots.alt_text(image.figure)
    image, _, _ = plot_decision_boundary(lambda X: np.full(len(X), 0.2), resolution=5)
    assert "no decision boundary; 2 of the 4" in at.plots.alt_text(image.figure)
