"""Smoke tests for annteach.plots.activations (Agg backend)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import annteach as at


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("name", ["identity", "tanh", "logistic", "relu"])
def test_activation_line_is_the_function(name):
    a = np.linspace(-3, 3, 61)
    line = at.plots.plot_activation(name, a)
    xs, ys = line.get_data()
    assert np.array_equal(xs, a)
    assert np.allclose(ys, at.ACTIVATIONS[name][0](a))


@pytest.mark.parametrize("name", ["identity", "tanh", "logistic", "relu"])
def test_derivative_line_matches_finite_differences(name):
    a = np.linspace(-3, 3, 600)         # even count: a = 0 is not a grid point
    g = at.ACTIVATIONS[name][0]
    xs, ys = at.plots.plot_activation(name, a, derivative=True).get_data()
    xs, ys = np.asarray(xs), np.asarray(ys)
    assert np.array_equal(xs[np.isfinite(ys)], a)     # every a once, plus at most a break
    ys = ys[np.isfinite(ys)]
    h = 1e-6
    numeric = (g(a + h) - g(a - h)) / (2 * h)
    assert np.allclose(ys, numeric, atol=1e-6)


def test_activation_rejects_unknown_name():
    with pytest.raises(ValueError, match="unknown activation"):
        at.plots.plot_activation("swish")


def test_activation_grid_layout():
    axes = at.plots.plot_activation_grid()
    assert axes.shape == (2, 4)
    assert [ax.get_title() for ax in axes[0]] == ["identity", "tanh", "logistic", "relu"]
    fig = axes[0, 0].figure
    assert tuple(fig.get_size_inches()) == at.plots.FIGSIZE["wide"]
    assert at.plots.alt_text(fig).startswith("4 activation functions side by side")

    def curve(ax):  # the plotted function (the other lines are the 0 axes)
        (line,) = [ln for ln in ax.lines if len(ln.get_xdata()) > 2]
        return np.asarray(line.get_xdata()), np.asarray(line.get_ydata())

    # Bottom row: derivatives; ReLU's is 0 at a = 0 by our convention.
    a, d = curve(axes[1, 3])
    assert d[np.isfinite(d) & (a == 0)] == [0] and d[-1] == 1
    a, d = curve(axes[1, 2])
    assert d.max() == pytest.approx(0.25)
    a, y = curve(axes[0, 1])
    assert np.allclose(y, np.tanh(a))


def _segments(line):
    """The straight pieces matplotlib draws: consecutive points, both finite."""
    xs, ys = (np.asarray(v, dtype=float) for v in line.get_data())
    ok = np.isfinite(xs) & np.isfinite(ys)
    both = ok[:-1] & ok[1:]
    return np.stack([xs[:-1], ys[:-1], xs[1:], ys[1:]], axis=1)[both]


def test_relu_derivative_is_two_pieces_without_a_vertical_segment():
    a = np.linspace(-5, 5, 401)                      # contains a = 0
    line = at.plots.plot_activation("relu", a, derivative=True)
    segments = _segments(line)
    vertical = segments[:, 0] == segments[:, 2]
    assert not vertical.any()
    jumps = np.abs(segments[:, 3] - segments[:, 1])
    assert jumps.max() == 0                          # every drawn piece is flat: 0, then 1
    ys = np.asarray(line.get_ydata())
    assert np.isnan(ys).sum() == 1
    assert set(ys[np.isfinite(ys)]) == {0.0, 1.0}


def test_smooth_derivatives_are_one_unbroken_line():
    for name in ("identity", "tanh", "logistic"):
        ys = at.plots.plot_activation(name, derivative=True).get_ydata()
        assert np.isfinite(ys).all()
        plt.close("all")


def test_activation_grid_derivatives_share_one_y_axis():
    axes = at.plots.plot_activation_grid(["identity", "tanh", "logistic", "relu"])
    limits = {ax.get_ylim() for ax in axes[1]}
    assert len(limits) == 1
    lo, hi = limits.pop()
    assert lo < 0 and hi > 1                         # room for tanh' = 1 and identity' = 1
    # the top row keeps its own scales: identity spans -5..5, logistic 0..1
    assert axes[0, 0].get_ylim() != axes[0, 2].get_ylim()
