"""Smoke tests for annteach.plots.xor (Agg backend)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import annteach as at


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_xor_data_scatter_offsets_are_the_dataset():
    X, Y = at.xor_dataset()
    scatters = at.plots.plot_xor_data()
    assert len(scatters) == 2
    for c, sc in enumerate(scatters):
        assert np.array_equal(sc.get_offsets(), X[Y == c])
    colors = [tuple(sc.get_facecolor()[0]) for sc in scatters]
    assert colors[0] != colors[1]
    ax = scatters[0].axes
    assert list(ax.get_xticks()) == [0, 1] and list(ax.get_yticks()) == [0, 1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "class 0 ($t = 0$)", "class 1 ($t = 1$)"]
    assert scatters[0].get_paths()[0] != scatters[1].get_paths()[0]  # a marker per class
    assert "class 0 (blue circles) at (0, 0), (1, 1)" in at.plots.alt_text(ax.figure)


def test_xor_data_draws_on_given_axes():
    fig, ax = plt.subplots()
    scatters = at.plots.plot_xor_data(ax=ax)
    assert all(sc.axes is ax for sc in scatters)


@pytest.mark.parametrize("line, wrong", [
    ((1, 1, -0.5), [(1, 1)]),      # OR: also says 1 for (1, 1)
    ((-1, -1, 1.5), [(0, 0)]),     # NAND: also says 1 for (0, 0)
    ((1, -1, -0.5), [(0, 1)]),     # only (1, 0) on the class-1 side
    ((1, 0, -0.5), [(0, 1), (1, 1)]),  # vertical line x1 = 0.5
])
def test_xor_line_circles_its_mistakes(line, wrong):
    X, _ = at.xor_dataset()
    out = at.plots.plot_xor_line(*line)
    assert [tuple(X[i].astype(int)) for i in out["wrong"]] == wrong
    assert np.array_equal(out["marks"].get_offsets(), X[out["wrong"]])
    w1, w2, b = line
    xs, ys = out["line"].get_data()
    assert np.allclose(w1 * np.asarray(xs) + w2 * np.asarray(ys) + b, 0)


def test_no_line_classifies_xor():
    rng = np.random.default_rng(0)
    for w1, w2, b in rng.normal(size=(50, 3)):
        assert len(at.plots.plot_xor_line(w1, w2, b)["wrong"]) >= 1
        plt.close("all")


def test_xor_line_rejects_degenerate_line():
    with pytest.raises(ValueError, match="not a line"):
        at.plots.plot_xor_line(0, 0, 1)


def test_network_diagram_computes_xor_net():
    """Evaluating the drawn graph with the default weights must give at.xor_net."""
    out = at.plots.draw_xor_network()
    assert set(out["nodes"]) == {"x1", "x2", "h1", "h2", "y", "bias_h", "bias_y"}
    assert set(out["edges"]) == set(at.XOR_WEIGHTS)
    w = at.XOR_WEIGHTS
    for x1, x2 in at.xor_dataset()[0]:
        value = {"x1": x1, "x2": x2, "bias_h": 1.0, "bias_y": 1.0}
        for unit in ("h1", "h2", "y"):
            a = sum(w[name] * value[src] for name, (src, dst, _) in out["edges"].items()
                    if dst == unit)
            value[unit] = float(at.logistic(a))
        assert value["y"] == pytest.approx(float(at.xor_net(x1, x2)))


def test_network_diagram_labels_show_names_and_values():
    out = at.plots.draw_xor_network(at.XOR_WEIGHTS)
    assert out["labels"]["w6"].get_text() == "$w_{6}$$=-0.25$"
    plain = at.plots.draw_xor_network()
    assert plain["labels"]["b1"].get_text() == "$b_{1}$"
    arrow = plain["edges"]["w1"][2]
    assert arrow in arrow.axes.patches


def test_network_diagram_fills_missing_weights_and_rejects_unknown_ones():
    out = at.plots.draw_xor_network({"w1": 2.0})
    assert out["labels"]["w1"].get_text() == "$w_{1}$$=2$"
    assert out["labels"]["w6"].get_text() == "$w_{6}$$=-0.25$"
    with pytest.raises(ValueError, match="w9"):
        at.plots.draw_xor_network({"w9": 1.0})
