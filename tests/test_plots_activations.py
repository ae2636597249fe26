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
    ys = at.plots.plot_activation(name, a, derivative=True).get_ydata()
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
    assert 0 in a and d[a == 0] == 0 and d[-1] == 1
    a, d = curve(axes[1, 2])
    assert d.max() == pytest.approx(0.25)
    a, y = curve(axes[0, 1])
    assert np.allclose(y, np.tanh(a))
