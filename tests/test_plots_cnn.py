"""Smoke tests of annteach.plots.cnn: each figure draws the data it was given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import annteach as at  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_convolution_panels_show_the_arrays():
    rng = np.random.default_rng(0)
    image, kernel, fmap = rng.uniform(size=(8, 8)), rng.normal(size=(3, 3)), rng.normal(size=(6, 6))
    axes = at.plots.plot_convolution(image, kernel, fmap)
    assert len(axes) == 3
    for ax, a in zip(axes, (image, kernel, fmap)):
        np.testing.assert_array_equal(ax.images[0].get_array(), a)
    # kernel and feature map on a scale centred on 0
    for ax in axes[1:]:
        vmin, vmax = ax.images[0].get_clim()
        assert vmax > 0
        assert vmin == -vmax
    # the 9 kernel weights are written into its cells
    assert sorted(t.get_text() for t in axes[1].texts) == sorted(f"{w:g}" for w in kernel.ravel())


def test_convolution_into_given_figure_and_bad_shape():
    fig = plt.figure()
    axes = at.plots.plot_convolution(np.ones((4, 4)), np.ones((2, 2)), np.ones((3, 3)), fig=fig)
    assert all(ax.figure is fig for ax in axes)
    with pytest.raises(ValueError, match="kernel"):
        at.plots.plot_convolution(np.ones((4, 4)), np.ones(3), np.ones((3, 3)))


def test_misclassified_titles_match_predictions():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    top = np.array([[4, 9, 7], [3, 5, 8], [0, 6, 2], [1, 7, 4], [5, 3, 9], [8, 2, 1], [2, 7, 1]])
    labels = np.array([9, 5, 6, 7, 3, 2, 7])
    axes = at.plots.plot_misclassified(images, top, labels)
    assert len(axes) == 7
    titles = [ax.get_title() for ax in axes]
    assert titles[0] == "guess 4, 9, 7"
    assert titles == [f"guess {a}, {b}, {c}" for a, b, c in top]
    assert [ax.get_xlabel() for ax in axes] == [f"true {d}" for d in labels]
    assert "best guesses" in axes[0].figure.get_suptitle()
    assert at.plots.alt_text(axes[0].figure).startswith(
        "7 misclassified digits, each with its true class and the network's 3 most probable "
        "classes: a 9 taken for 4, a 5 taken for 3,")
    for ax, image in zip(axes, images):
        np.testing.assert_array_equal(ax.images[0].get_array(), image)
    # 7 digits on a 5-wide grid: two rows, the 3 unused axes hidden
    fig = axes[0].figure
    assert sum(ax.get_visible() for ax in fig.axes) == 7
    assert len(fig.axes) == 10


def test_misclassified_accepts_channel_axis_and_checks_lengths():
    images = np.zeros((2, 1, 28, 28))
    axes = at.plots.plot_misclassified(images, [[1, 2, 3], [4, 5, 6]], [0, 0])
    assert (axes[1].get_title(), axes[1].get_xlabel()) == ("guess 4, 5, 6", "true 0")
    with pytest.raises(ValueError, match="labels"):
        at.plots.plot_misclassified(images, [[1, 2, 3], [4, 5, 6]], [0, 0, 0])


def test_filters_one_symmetric_scale():
    rng = np.random.default_rng(2)
    W = rng.normal(size=(6, 2, 5, 5))
    axes = at.plots.plot_filters(W, channel=1, ncols=4)
    assert len(axes) == 6
    limit = np.abs(W[:, 1]).max()
    for f, ax in enumerate(axes):
        np.testing.assert_array_equal(ax.images[0].get_array(), W[f, 1])
        assert ax.images[0].get_clim() == (-limit, limit)
    with pytest.raises(ValueError, match="channel"):
        at.plots.plot_filters(W, channel=2)


def test_feature_maps_drawn_in_order():
    maps = np.arange(3 * 4 * 4, dtype=float).reshape(3, 4, 4)
    fig = plt.figure()
    axes = at.plots.plot_feature_maps(maps, ncols=2, fig=fig)
    assert [ax.get_title() for ax in axes] == ["0", "1", "2"]
    for ax, m in zip(axes, maps):
        np.testing.assert_array_equal(ax.images[0].get_array(), m)
        assert ax.figure is fig
    with pytest.raises(ValueError, match="maps"):
        at.plots.plot_feature_maps(maps[0])


def test_filters_paired_with_their_maps():
    rng = np.random.default_rng(2)
    W, maps = rng.normal(size=(5, 1, 5, 5)), rng.uniform(size=(5, 24, 24))
    filter_axes, map_axes = at.plots.plot_filters_and_maps(W, maps, ncols=3)
    assert len(filter_axes) == len(map_axes) == 5
    for f, (top, bottom) in enumerate(zip(filter_axes, map_axes)):
        np.testing.assert_array_equal(top.images[0].get_array(), W[f, 0])
        np.testing.assert_array_equal(bottom.images[0].get_array(), maps[f])
        # each map sits right below its filter
        assert top.get_position().x0 == pytest.approx(bottom.get_position().x0)
        assert top.get_position().y0 > bottom.get_position().y0
    fig = filter_axes[0].figure
    assert sum(ax.get_label() == "<colorbar>" for ax in fig.axes) == 2
    assert at.plots.alt_text(fig).startswith("5 learned 5x5 filters, each above the 24x24")
    with pytest.raises(ValueError, match="same F"):
        at.plots.plot_filters_and_maps(W, maps[:4])


@pytest.mark.parametrize("F, ncols", [(5, 3), (12, 6), (6, 6)])
def test_filters_and_maps_colour_bars_do_not_overlap(F, ncols):
    rng = np.random.default_rng(3)
    W, maps = rng.normal(size=(F, 1, 5, 5)), rng.uniform(size=(F, 24, 24))
    filter_axes, map_axes = at.plots.plot_filters_and_maps(W, maps, ncols=ncols)
    fig = filter_axes[0].figure
    fig.canvas.draw()
    bars = {ax.get_ylabel() or ax.get_xlabel(): ax for ax in fig.axes
            if ax.get_label() == "<colorbar>"}
    assert sorted(bars) == ["filter weight", "response of the map"]
    renderer = fig.canvas.get_renderer()
    boxes = {name: ax.get_tightbbox(renderer) for name, ax in bars.items()}
    weight, response = boxes["filter weight"], boxes["response of the map"]
    assert not weight.overlaps(response), (weight, response)
    # neither bar covers a filter or a map, and both lie inside the figure
    figure_box = fig.bbox
    for box in boxes.values():
        assert figure_box.x0 - 1 <= box.x0 and box.x1 <= figure_box.x1 + 1
        assert figure_box.y0 - 1 <= box.y0 and box.y1 <= figure_box.y1 + 1
        for ax in [*filter_axes, *map_axes]:
            assert not box.overlaps(ax.get_window_extent(renderer))
    # each bar shows its own scale
    limit = np.abs(W[:, 0]).max()
    assert bars["filter weight"].get_ylim() == pytest.approx((-limit, limit))
    assert bars["response of the map"].get_xlim() == pytest.approx((0, maps.max()))
