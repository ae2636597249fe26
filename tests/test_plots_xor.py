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
    X, T = at.xor_dataset()
    scatters = at.plots.plot_xor_data()
    assert len(scatters) == 2
    for c, sc in enumerate(scatters):
        assert np.array_equal(sc.get_offsets(), X[T == c])
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
    v1, v2, c = line
    xs, ys = out["line"].get_data()
    assert np.allclose(v1 * np.asarray(xs) + v2 * np.asarray(ys) + c, 0)


def test_no_line_classifies_xor():
    rng = np.random.default_rng(0)
    for v1, v2, c in rng.normal(size=(50, 3)):
        assert len(at.plots.plot_xor_line(v1, v2, c)["wrong"]) >= 1
        plt.close("all")


def test_xor_line_rejects_degenerate_line():
    with pytest.raises(ValueError, match="v1 and v2 are both 0: that is not a line"):
        at.plots.plot_xor_line(0, 0, 1)


def test_xor_line_takes_the_single_units_names():
    out = at.plots.plot_xor_line(v1=1, v2=1, c=-0.5)
    assert [tuple(at.xor_dataset()[0][i]) for i in out["wrong"]] == [(1.0, 1.0)]


def test_xor_line_key_of_several_panels_sits_above_the_figure():
    fig, axes = plt.subplots(1, 3)
    for ax in axes:
        at.plots.plot_xor_line(1, 1, -0.5, ax=ax, legend=ax is axes[1])
    assert all(ax.get_legend() is None for ax in axes)
    (key,) = fig.legends
    assert [t.get_text() for t in key.get_texts()] == [
        "class 0 ($t = 0$)", "class 1 ($t = 1$)", "predicted class 1", "misclassified"]
    alone = at.plots.plot_xor_line(1, 1, -0.5)["line"].axes
    assert alone.get_legend() is not None and not alone.figure.legends


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


def _segments_cross_box(p0, p1, box, steps=400):
    """Does the straight segment p0 -> p1 pass through the box (x0, y0, x1, y1)?"""
    t = np.linspace(0, 1, steps)[:, None]
    pts = np.asarray(p0) + t * (np.asarray(p1) - np.asarray(p0))
    x0, y0, x1, y1 = box
    return bool(np.any((pts[:, 0] > x0) & (pts[:, 0] < x1) & (pts[:, 1] > y0) & (pts[:, 1] < y1)))


def test_network_diagram_labels_sit_on_no_other_edge():
    """Each weight label (its drawn box) lies on its own edge and crosses no other edge,
    in the course style the notebooks draw it in."""
    with at.plots.course_style():
        out = at.plots.draw_xor_network(at.XOR_WEIGHTS)
        ax = next(iter(out["labels"].values())).axes
        ax.figure.canvas.draw()
    to_data = ax.transData.inverted()
    ends = {w: (src, dst) for w, (src, dst, _) in out["edges"].items()}
    centres = {name: circle.center for name, circle in out["nodes"].items()}
    for w, text in out["labels"].items():
        (x0, y0), (x1, y1) = to_data.transform(text.get_window_extent().get_points())
        box = (x0, y0, x1, y1)
        assert _segments_cross_box(*(centres[n] for n in ends[w]), box), w
        crossed = [other for other, (src, dst) in ends.items()
                   if other != w and _segments_cross_box(centres[src], centres[dst], box)]
        assert crossed == [], f"label of {w} lies on the edge(s) {crossed}"


def test_segment_box_check_can_fail():
    assert _segments_cross_box((0, 0), (2, 2), (0.9, 0.9, 1.1, 1.1))
    assert not _segments_cross_box((0, 0), (2, 0), (0.9, 0.5, 1.1, 1.1))


BY_HAND = {"w3": 2, "w4": 2, "b2": -1, "w5": -2, "w6": -1, "b3": 2.5, "w1": 2, "w2": 2,
           "b1": -3}


def _farthest_from_hidden_lines(out, weights):
    V = np.concatenate([p.vertices for p in out["boundary"].get_paths()])
    d = [np.abs(V @ [weights[a], weights[b]] + weights[c]) / np.hypot(weights[a], weights[b])
         for a, b, c in (("w3", "w4", "b2"), ("w5", "w6", "b3"))]
    return np.min(d, axis=0).max()


def test_network_boundary_draws_the_hidden_lines_where_the_units_are_one_half():
    weights = {**at.XOR_WEIGHTS, **BY_HAND}
    out = at.plots.plot_network_boundary(BY_HAND)
    for unit, (a, b, c) in {"h1": ("w3", "w4", "b2"), "h2": ("w5", "w6", "b3")}.items():
        xs, ys = (np.asarray(v, dtype=float) for v in out["lines"][unit].get_data())
        assert np.allclose(weights[a] * xs + weights[b] * ys + weights[c], 0)
        assert np.allclose(at.logistic(weights[a] * xs + weights[b] * ys + weights[c]), 0.5)
    assert np.allclose(out["image"].get_array()[0, 0], at.xor_net(0.0, 0.0, **BY_HAND))
    key = out["image"].axes.figure.legends[0]
    assert [t.get_text() for t in key.get_texts()] == [
        "class 0 ($t = 0$)", "class 1 ($t = 1$)", "$y = 1/2$", "$h_1 = 1/2$", "$h_2 = 1/2$"]


def test_network_boundary_lies_on_the_two_lines_only_when_the_units_saturate():
    large = {name: 10 * w for name, w in BY_HAND.items()}
    small = {name: 2 * w for name, w in BY_HAND.items()}
    assert _farthest_from_hidden_lines(at.plots.plot_network_boundary(large), large) < 0.01
    assert _farthest_from_hidden_lines(at.plots.plot_network_boundary(small), small) > 0.02


def test_network_boundary_rejects_unknown_weights_and_skips_a_unit_without_a_line():
    with pytest.raises(ValueError, match="w7"):
        at.plots.plot_network_boundary({"w7": 1.0})
    out = at.plots.plot_network_boundary({"w5": 0.0, "w6": 0.0}, legend=False)
    assert set(out["lines"]) == {"h1"}
    assert not out["image"].axes.figure.legends
