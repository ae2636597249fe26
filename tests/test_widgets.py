"""Tests of annteach.widgets: the explorers driven headlessly through their controls.

Widgets work without a frontend: setting ``control.value`` or calling
``button.click()`` runs the same callbacks as a user in JupyterLab. Each test
checks the explorer's state and the data of the drawn artists against the
package's own functions.
"""

import asyncio
import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

import annteach as at
from annteach import views, widgets
from annteach.cnn import CNN
from annteach.cnn_files import default_model_path
from annteach.evaluation import misclassified
from annteach.plots import colors
from annteach.plots.style import FIGSIZE, MIN_FONT_PT


@pytest.fixture(autouse=True)
def no_running_event_loop():
    """Each test runs as in a plain Python session, with no event loop running.

    Playwright's sync API (the browser tests' session-wide browser) leaves its event loop
    marked as running in this thread; an explorer would then hand its deferred redraws to
    that loop, which never runs them. Tests that want a running loop start their own.
    """
    loop = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(None)
    try:
        yield
    finally:
        asyncio.events._set_running_loop(loop)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def png_pixels(explorer):
    """The explorer's last PNG, decoded, shape (H, W, 3)."""
    return np.asarray(Image.open(io.BytesIO(explorer.image.value)).convert("RGB"))


def test_png_round_trips_the_canvas():
    ex = widgets.ActivationExplorer()
    canvas = np.asarray(ex.figure.canvas.buffer_rgba())[:, :, :3]
    np.testing.assert_array_equal(png_pixels(ex), canvas)
    dpi = widgets.engine.DPI
    assert canvas.shape[:2] == (round(ex.figsize[1] * dpi), round(ex.figsize[0] * dpi))


def full_redraw(explorer):
    """The figure drawn from scratch with every artist, as pixels (H, W, 3)."""
    animated = explorer.figure.findobj(lambda artist: artist.get_animated())
    for artist in animated:
        artist.set_animated(False)
    try:
        explorer.figure.canvas.draw()
        return np.asarray(explorer.figure.canvas.buffer_rgba())[:, :, :3].copy()
    finally:
        for artist in animated:
            artist.set_animated(True)


def _digits_explorer(**kwargs):
    images, labels = at.load_mnist("test")
    model = CNN(conv_channels=(4,), paddings=(2,), hidden=None, seed=0)
    return widgets.DigitExplorer(model, at.scale(images[:10]), labels[:10], **kwargs)


@pytest.mark.parametrize("build, changes", [
    (widgets.XorExplorer, [("w1", 3.0), ("w5", 4.0), ("w5", 2.0), ("a", "b1")]),
    (widgets.ActivationExplorer, [("a0", 3.0), ("name", "relu"), ("a0", -1.0)]),
    (widgets.TrainingExplorer, [("hidden_units", 4), ("mode", "stochastic")]),
    (_digits_explorer, [("index", 4), ("index", 7)]),
])
def test_blitted_redraws_equal_a_full_redraw(build, changes):
    # Redraws paste a saved background and draw only what changes; the
    # picture must be exactly the one a complete redraw gives.
    ex = build()
    for name, value in changes:
        ex.controls[name].value = value
        np.testing.assert_array_equal(png_pixels(ex), full_redraw(ex))


def test_explorer_displays_as_its_widget_with_a_short_text():
    ex = widgets.ActivationExplorer()
    bundle = ex._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == ex.widget.model_id
    assert "ActivationExplorer" in bundle["text/plain"]
    assert "FloatSlider" not in bundle["text/plain"]  # not the repr of every control


def test_explorer_widget_holds_controls_and_image():
    import ipywidgets

    ex = widgets.ActivationExplorer()
    assert isinstance(ex.widget, ipywidgets.VBox)
    assert ex.image in ex.widget.children
    assert all(isinstance(c, ipywidgets.Widget) for c in ex.controls.values())


# -- XOR -------------------------------------------------------------------------------
def test_xor_explorer_starts_at_the_lecture_weights():
    ex = widgets.XorExplorer()
    assert ex.weights == at.XOR_WEIGHTS
    assert {n: ex.controls[n].value for n in at.XOR_WEIGHTS} == at.XOR_WEIGHTS
    assert ex.error() == pytest.approx(float(at.xor_error()))


def test_xor_slider_redraws_boundary_outputs_and_marker():
    ex = widgets.XorExplorer()
    before = png_pixels(ex)
    ex.controls["w5"].value = 3.0
    ex.controls["w6"].value = -2.5
    assert ex.weights["w5"] == 3.0 and ex.weights["w6"] == -2.5
    X1, X2 = ex.grid
    expected = at.xor_net(X1, X2, **{**at.XOR_WEIGHTS, "w5": 3.0, "w6": -2.5})
    np.testing.assert_allclose(ex.artists["output"].get_array(), expected)
    assert X1.min() == 0 and X1.max() == 1 and X2.min() == 0 and X2.max() == 1
    np.testing.assert_allclose(np.ravel(ex.artists["marker"].get_data()), [3.0, -2.5])
    X, _ = at.xor_dataset()
    y = at.xor_net(X[:, 0], X[:, 1], **ex.weights)
    for (x1, x2), y_n in zip(X, y):  # live, the outputs are in the caption
        assert f"({x1:g},{x2:g}) {y_n:.2f}" in ex.caption.value
    assert f"E = {float(at.xor_error(**ex.weights)):.4f}" in ex.caption.value
    assert not np.array_equal(png_pixels(ex), before)


def test_xor_other_weights_recompute_the_surface_only_when_needed():
    ex = widgets.XorExplorer()
    surface = ex.artists["surface"]
    ex.controls["w5"].value = 1.0  # one of the pair: only the marker moves
    assert ex.artists["surface"] is surface
    ex.controls["w1"].value = 4.0  # a fixed weight: a new surface
    assert ex.artists["surface"] is not surface
    assert surface.axes is None  # the old contours were removed


def test_xor_surface_waits_until_the_sliders_rest():
    # In a notebook (an event loop runs) a new surface is computed once the sliders
    # rest; the output panel follows every step at once.
    import asyncio

    ex = widgets.XorExplorer()
    surface = ex.artists["surface"]

    async def drag():
        for value in (1.0, 2.0, 3.0):
            ex.controls["w1"].value = value
            assert ex.artists["surface"] is surface
            np.testing.assert_allclose(ex.artists["output"].get_array(),
                                       at.xor_net(*ex.grid, **ex.weights))
            await asyncio.sleep(0.01)
        await asyncio.sleep(widgets.engine.SETTLE_SECONDS + 0.5)

    asyncio.run(drag())
    assert ex.artists["surface"] is not surface and surface.axes is None
    _, _, E = at.error_grid("w5", "w6", **{k: v for k, v in ex.weights.items()
                                            if k not in ("w5", "w6")})
    levels = ex.artists["surface"].levels
    assert ex.weights["w1"] == 3.0 and levels[0] <= E.min() and levels[-1] >= E.max()
    np.testing.assert_array_equal(png_pixels(ex), full_redraw(ex))


def test_xor_colour_bar_follows_the_surface():
    ex = widgets.XorExplorer()
    ex.controls["w1"].value = 3.0
    _, _, E = at.error_grid("w5", "w6", **{k: v for k, v in ex.weights.items()
                                            if k not in ("w5", "w6")})
    levels = ex.artists["surface"].levels
    assert levels[0] <= E.min() and levels[-1] >= E.max()
    colorbar = ex.artists["surface"].colorbar
    assert colorbar.ax.get_ylim() == pytest.approx((levels[0], levels[-1]))
    assert len(ex.figure.axes) == 4  # two panels, two colour bars: no second one for E


def test_xor_dropdowns_choose_the_surface_weights():
    ex = widgets.XorExplorer()
    ex.controls["a"].value = "w1"
    ex.controls["b"].value = "b1"
    assert ex.pair == ("w1", "b1")
    marker = ex.artists["marker"]
    np.testing.assert_allclose(np.ravel(marker.get_data()),
                               [at.XOR_WEIGHTS["w1"], at.XOR_WEIGHTS["b1"]])
    assert marker.axes.get_xlabel() == "$w_{1}$" and marker.axes.get_ylabel() == "$b_{1}$"
    ex.controls["a"].value = "b1"  # the other dropdown's weight: the two swap
    assert ex.pair == ("b1", "w1")
    assert (ex.controls["a"].value, ex.controls["b"].value) == ("b1", "w1")


def test_xor_symmetric_init_makes_the_hidden_units_equal():
    ex = widgets.XorExplorer()
    ex.controls["symmetric"].click()
    value = ex.SYMMETRIC_VALUE
    assert set(ex.weights.values()) == {value}
    assert {ex.controls[n].value for n in at.XOR_WEIGHTS} == {value}
    w = ex.weights
    assert (w["w3"], w["w4"], w["b2"]) == (w["w5"], w["w6"], w["b3"])
    np.testing.assert_allclose(ex.artists["output"].get_array(), at.xor_net(*ex.grid, **w))


def test_xor_explorer_rejects_bad_names():
    with pytest.raises(ValueError):
        widgets.XorExplorer(pair=("w5", "w5"))
    ex = widgets.XorExplorer()
    with pytest.raises(ValueError, match="unknown XOR weights.*w7"):
        ex.set_weights(w7=1.0)


def test_xor_figure_is_a_static_pyplot_twin():
    view = widgets.XorExplorer(static=True)
    assert view.figure in [plt.figure(n) for n in plt.get_fignums()]
    assert view.controls == {} and view.image is None
    np.testing.assert_allclose(view.artists["output"].get_array(),
                               at.xor_net(*view.grid, **at.XOR_WEIGHTS))
    assert not view.artists["marker"].get_animated()  # drawn by a plain savefig
    X, _ = at.xor_dataset()  # the outputs at the samples, the error in the title
    y = at.xor_net(X[:, 0], X[:, 1], **at.XOR_WEIGHTS)
    assert [t.get_text() for t in view.artists["labels"]] == [f"{v:.2f}" for v in y]
    assert view.panel.ax.get_title() == f"output $y$; E = {float(at.xor_error()):.4f}"
    assert view.caption is None


# -- activations -------------------------------------------------------------------------
def test_activation_point_moves_tangent_and_markers():
    ex = widgets.ActivationExplorer("logistic")
    ex.controls["a0"].value = -2.0
    g = 1 / (1 + np.exp(2.0))
    np.testing.assert_allclose(np.ravel(ex.artists["point"].get_data()), [-2.0, g])
    np.testing.assert_allclose(np.ravel(ex.artists["derivative_point"].get_data()),
                               [-2.0, g * (1 - g)])
    a, line = ex.artists["tangent"].get_data()
    np.testing.assert_allclose(line, g + g * (1 - g) * (a + 2.0))


def test_activation_dropdown_switches_function_and_derivative():
    ex = widgets.ActivationExplorer("logistic")
    ex.controls["name"].value = "tanh"
    assert ex.name == "tanh"
    a, y = ex.artists["g"].get_data()
    np.testing.assert_allclose(y, np.tanh(a))
    np.testing.assert_allclose(ex.artists["derivative"].get_ydata(), 1 - np.tanh(a) ** 2)
    assert "tanh: g(1.00) = 0.762" in ex.caption.value
    assert f"g&#x27;(1.00) = {1 - np.tanh(1.0) ** 2:.3f}" in ex.caption.value


def test_activation_explorer_keeps_relu_derivative_in_two_pieces():
    ex = widgets.ActivationExplorer("logistic")
    ex.controls["name"].value = "relu"               # a redraw, not the first drawing
    ex.controls["a0"].value = 2.0
    a, dy = (np.asarray(v, dtype=float) for v in ex.artists["derivative"].get_data())
    assert np.isnan(dy).sum() == 1                   # the break between the two pieces
    finite = np.isfinite(dy)
    assert set(dy[finite]) == {0.0, 1.0}
    both = finite[:-1] & finite[1:]
    assert (np.diff(dy)[both] == 0).all()            # no piece joins 0 to 1


def test_activation_range_moves_the_axis_and_clamps_the_point():
    ex = widgets.ActivationExplorer(a0=1.0)
    ex.controls["range"].value = (2.0, 8.0)
    assert ex.a_range == (2.0, 8.0)
    assert ex.a0 == 2.0 and ex.controls["a0"].value == 2.0
    assert (ex.controls["a0"].min, ex.controls["a0"].max) == (2.0, 8.0)
    a = ex.artists["g"].get_xdata()
    assert a[0] == 2.0 and a[-1] == 8.0
    assert ex.artists["g"].axes.get_xlim() == (2.0, 8.0)
    ex.controls["range"].value = (-9.0, -4.0)  # entirely below the old range
    assert ex.a0 == -4.0 and ex.controls["a0"].max == -4.0


def test_activation_figure_draws_the_defaults():
    view = widgets.ActivationExplorer("relu", a0=1.5, static=True)
    np.testing.assert_allclose(np.ravel(view.artists["point"].get_data()), [1.5, 1.5])
    with pytest.raises(ValueError):
        widgets.ActivationExplorer("softsign", static=True)


# -- training ------------------------------------------------------------------------------
def test_training_step_trains_one_epoch_and_redraws():
    ex = widgets.TrainingExplorer()
    W0 = ex.training.model.weights[0].copy()
    ex.controls["step"].click()
    history = ex.training.model.loss_history
    assert len(history) == 1
    assert not np.array_equal(ex.training.model.weights[0], W0)
    np.testing.assert_allclose(ex.artists["loss"].get_ydata(), history)
    X1, X2 = ex.panel.X1, ex.panel.X2
    np.testing.assert_allclose(ex.artists["output"].get_array(),
                               ex.training.grid_output(X1, X2))


def test_training_run_uses_the_controls():
    ex = widgets.TrainingExplorer()
    ex.controls["epochs"].value = 30
    ex.controls["learning_rate"].value = 0.1
    ex.controls["momentum"].value = 0.5
    ex.controls["run"].click()
    reference = views.XorTraining(seed=0)
    reference.step(30, learning_rate=ex.controls["learning_rate"].value, momentum=0.5)
    np.testing.assert_allclose(ex.training.model.loss_history, reference.model.loss_history)
    assert ex.artists["loss"].get_xdata()[-1] == 30


def test_training_reset_and_hidden_units():
    ex = widgets.TrainingExplorer(seed=2)
    initial = [W.copy() for W in ex.training.model.weights]
    ex.controls["epochs"].value = 20
    ex.controls["run"].click()
    assert len(ex.training.model.loss_history) == 20
    ex.controls["reset"].click()
    assert ex.training.model.loss_history == []
    for W, W0 in zip(ex.training.model.weights, initial):
        np.testing.assert_array_equal(W, W0)
    ex.controls["hidden_units"].value = 5
    assert ex.training.model.layer_sizes == [2, 5, 1]
    assert ex.artists["loss"].get_xdata().size == 0


def test_training_mode_toggle_makes_steps_stochastic():
    ex = widgets.TrainingExplorer()
    ex.controls["mode"].value = "stochastic"
    ex.controls["step"].click()
    reference = views.XorTraining(seed=0)
    reference.step(1, learning_rate=0.5, stochastic=True)
    np.testing.assert_allclose(ex.training.model.weights[0], reference.model.weights[0])
    assert "3 hidden units, stochastic" in ex.caption.value
    assert f"epoch 1: loss {ex.training.model.loss_history[0]:.4f}" in ex.caption.value


def test_training_figure_shows_the_trained_state():
    view = widgets.TrainingExplorer(epochs=25, static=True)
    assert len(view.training.model.loss_history) == 25
    assert view.artists["loss"].get_xdata()[-1] == 25


# -- digits ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    images, labels = at.load_mnist("test")
    model = CNN(conv_channels=(4,), paddings=(2,), hidden=None, seed=0)
    return model, at.scale(images[:30]), labels[:30]


def test_digit_bars_are_the_model_probabilities(digits):
    model, images, labels = digits
    ex = widgets.DigitExplorer(model, images, labels)
    for index in (3, 7):
        ex.controls["index"].value = index
        probs = model.predict_proba(images[index:index + 1])[0]
        heights = [bar.get_height() for bar in ex.artists["bars"]]
        np.testing.assert_allclose(heights, probs, rtol=1e-6)
        np.testing.assert_array_equal(ex.artists["digit"].get_array(), images[index])


def test_digit_bar_colours(digits):
    from matplotlib.colors import to_rgba

    model, images, labels = digits
    top = model.predict(images)
    wrong = int(np.flatnonzero(top != labels)[0])
    ex = widgets.DigitExplorer(model, images, labels, index=wrong)
    colours = [bar.get_facecolor() for bar in ex.artists["bars"]]
    assert colours[labels[wrong]] == to_rgba(colors.TRUTH_COLOR)
    assert colours[top[wrong]] == to_rgba(colors.PREDICTION_COLOR)
    others = set(range(10)) - {int(labels[wrong]), int(top[wrong])}
    assert len({colours[k] for k in others}) == 1
    assert colours[min(others)] not in {to_rgba(colors.TRUTH_COLOR),
                                        to_rgba(colors.PREDICTION_COLOR)}
    right = int(np.flatnonzero(top == labels)[0]) if np.any(top == labels) else None
    if right is not None:  # a right prediction is drawn as the truth, no wrong guess
        ex.show(right)
        colours = [bar.get_facecolor() for bar in ex.artists["bars"]]
        assert colours.count(to_rgba(colors.TRUTH_COLOR)) == 1
        assert to_rgba(colors.PREDICTION_COLOR) not in colours


def test_digit_feature_maps_are_the_first_layer(digits):
    model, images, labels = digits
    ex = widgets.DigitExplorer(model, images, labels)
    ex.controls["index"].value = 5
    maps = model.feature_maps(images[5:6], 0)[0]
    np.testing.assert_array_equal(ex.feature_maps(), maps)
    mosaic = np.ma.filled(ex.artists["maps"].get_array().astype(float), np.nan)
    top, side, bottom = ex._PAD
    h, w = maps.shape[1] + top + bottom, maps.shape[2] + 2 * side
    for f, expected in enumerate(maps):  # tile f: row f // cols, column f % cols
        row, col = divmod(f, ex._tiles)
        tile = mosaic[row * h:(row + 1) * h, col * w:(col + 1) * w]
        # one scale for all: divided by the strongest response of this image
        np.testing.assert_allclose(tile[top:h - bottom, side:w - side], expected / maps.max(),
                                   rtol=1e-6)
        assert np.all(np.isnan(tile[:top])) and np.all(np.isnan(tile[:, :side]))
    assert ex.artists["maps"].get_clim() == (0, 1)
    assert ex.artists["maps"].get_interpolation() == "nearest"
    numbers = [t.get_text() for t in ex.artists["maps"].axes.texts]
    assert numbers == [str(f) for f in range(len(maps))]


def test_digit_steps_through_images_and_through_mistakes(digits):
    model, images, labels = digits
    wrong = misclassified(labels, model.predict(images))
    right = np.setdiff1d(np.arange(len(labels)), wrong)
    assert wrong.size >= 2 and right.size >= 1  # an untrained net gets most wrong
    ex = widgets.DigitExplorer(model, images, labels, index=int(right[0]))
    ex.controls["next"].click()
    assert ex.index == right[0] + 1 and ex.controls["index"].value == right[0] + 1
    ex.controls["previous"].click()
    assert ex.index == right[0]
    ex.controls["mistakes"].value = True  # jumps to the next mistake (wrapping around)
    np.testing.assert_array_equal(ex.wrong, wrong)
    assert ex.controls["mistakes"].description == f"misclassified only ({wrong.size})"
    first = views.step_index(int(right[0]), len(labels), 1, wrong)
    assert ex.index == first
    k = int(np.flatnonzero(wrong == first)[0]) + 1
    assert f"mistake {k} of {wrong.size}: image {first}, label {labels[first]}" \
        in ex.caption.value
    ex.controls["next"].click()
    assert ex.index == views.step_index(first, len(labels), 1, wrong)
    assert ex.controls["index"].value == ex.index
    ex.controls["previous"].click()
    assert ex.index == first
    ex.controls["mistakes"].value = False
    assert "mistake" not in ex.caption.value
    ex.controls["next"].click()
    assert ex.index == (first + 1) % len(labels)


def test_digit_mistakes_only_with_no_mistakes_stays_put(digits):
    model, images, labels = digits
    predicted = model.predict(images)
    ex = widgets.DigitExplorer(model, images, predicted, index=3)  # labels = its predictions
    ex.controls["mistakes"].value = True
    assert ex.wrong.size == 0 and ex.index == 3
    ex.controls["next"].click()
    assert ex.index == 3
    assert ex.controls["mistakes"].description == "misclassified only (0)"


def test_digit_explorer_checks_its_data(digits):
    model, images, labels = digits
    with pytest.raises(ValueError):
        widgets.DigitExplorer(model, images, labels[:5])
    with pytest.raises(ValueError):
        widgets.DigitExplorer(model, images, labels, index=30)
    ex = widgets.DigitExplorer(model, images[:, None], labels)  # (N, 1, 28, 28) works too
    assert ex.images.shape == (30, 28, 28)


def test_digit_figure_is_static(digits):
    model, images, labels = digits
    view = widgets.DigitExplorer(model, images, labels, index=2, static=True)
    assert view.controls == {} and view.index == 2


@pytest.mark.skipif(not default_model_path().exists(), reason="shipped CNN not there yet")
def test_digit_explorer_defaults_to_the_shipped_cnn_and_test_set():
    ex = widgets.DigitExplorer()
    assert ex.images.shape == (10000, 28, 28)
    probs = ex.probabilities()
    assert probs.argmax() == ex.labels[0]  # the trained net gets the first test digit right


# -- course style: palette, sizes, type, text alternatives -------------------------------------
ALL_EXPLORERS = [
    ("xor", widgets.XorExplorer),
    ("activation", widgets.ActivationExplorer),
    ("training", lambda **kw: widgets.TrainingExplorer(epochs=20, **kw)),
    ("digit", lambda **kw: _digits_explorer(**kw)),
]


@pytest.mark.parametrize("static", [False, True], ids=["live", "static"])
@pytest.mark.parametrize("name, build", ALL_EXPLORERS, ids=[n for n, _ in ALL_EXPLORERS])
def test_explorers_have_the_course_size_and_type(name, build, static):
    import matplotlib as mpl

    with mpl.rc_context({"font.size": 6, "xtick.labelsize": 5}):  # a notebook's own settings
        ex = build(static=static)
    assert ex.figsize == FIGSIZE["wide"]
    assert tuple(ex.figure.get_size_inches()) == pytest.approx(FIGSIZE["wide"])
    assert at.plots.smallest_font_pt(ex.figure) >= MIN_FONT_PT


@pytest.mark.parametrize("name, build", ALL_EXPLORERS, ids=[n for n, _ in ALL_EXPLORERS])
def test_live_picture_is_shown_as_wide_as_the_static_one(name, build):
    ex = build()
    assert ex.image.layout.width == f"{round(FIGSIZE['wide'][0] * 100)}px"
    assert ex.image.layout.max_width == "100%"
    assert ex.widget.children == (ex._box, ex.caption, ex.image)


def test_xor_explorer_uses_the_output_colours_and_an_outlined_marker():
    from matplotlib.colors import to_rgba

    ex = widgets.XorExplorer()
    image = ex.artists["output"]
    assert image.get_cmap().name == colors.output_cmap().name
    assert image.norm.vcenter == 0.5  # light grey exactly at the decision threshold
    marker = ex.artists["marker"]
    assert to_rgba(marker.get_markerfacecolor()) == to_rgba("white")
    assert to_rgba(marker.get_markeredgecolor()) == to_rgba(colors.INK)
    assert ex.artists["surface"].get_cmap().name == colors.SEQUENTIAL_CMAP


def test_activation_and_training_explorers_use_the_palette():
    from matplotlib.colors import to_rgba

    ex = widgets.ActivationExplorer()
    assert to_rgba(ex.artists["tangent"].get_color()) == to_rgba(colors.INK)
    for name in ("point", "derivative_point"):
        assert to_rgba(ex.artists[name].get_markeredgecolor()) == to_rgba(colors.INK)
    training = widgets.TrainingExplorer()
    assert to_rgba(training.artists["loss"].get_color()) == to_rgba(colors.TRAIN_COLOR)
    assert training.artists["output"].get_cmap().name == colors.output_cmap().name


def test_digit_explorer_draws_dark_ink_on_a_light_ground(digits):
    model, images, labels = digits
    ex = widgets.DigitExplorer(model, images, labels)
    assert ex.artists["digit"].get_cmap().name == colors.DIGIT_CMAP
    assert ex.artists["digit"].get_interpolation() == "nearest"
    assert ex.artists["maps"].get_cmap().name == colors.DIGIT_CMAP
    legend = ex.artists["bars"][0].axes.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["true class", "wrong guess"]


def test_static_twins_carry_specific_alt_text(digits):
    alt = at.plots.alt_text
    xor = widgets.XorExplorer(static=True)
    text = alt(xor.figure)
    assert f"E = {float(at.xor_error()):.4f}" in text and "(w5, w6) = (-0.30, -0.25)" in text
    assert "2 of the 4 samples are classified right" in text
    moved = widgets.XorExplorer(weights={"w1": 4.0}, pair=("w1", "b1"), static=True)
    assert "the error over w1 and b1" in alt(moved.figure) and alt(moved.figure) != text

    act = alt(widgets.ActivationExplorer("tanh", a0=0.5, static=True).figure)
    assert "tanh activation" in act and f"g(a0) = {np.tanh(0.5):.3f}" in act
    assert f"the slope is {1 - np.tanh(0.5) ** 2:.3f}" in act
    relu = alt(widgets.ActivationExplorer("relu", static=True).figure)
    assert "largest (1) for a from 0.03 to 5.00" in relu

    trained = widgets.TrainingExplorer(epochs=30, static=True)
    history = trained.training.model.loss_history
    assert f"after 30 epochs the mean error per sample is {history[-1]:.4f}" \
        in alt(trained.figure)
    assert "not trained yet" in alt(widgets.TrainingExplorer(static=True).figure)

    model, images, labels = digits
    probs = model.predict_proba(images[4:5])[0]
    digit = alt(widgets.DigitExplorer(model, images, labels, index=4, static=True).figure)
    assert f"test image 4 of {len(images)}, a handwritten {labels[4]}" in digit
    assert f"predicts {probs.argmax()} with probability {probs.max():.0%}" in digit
    texts = [text, act, relu, alt(trained.figure), digit]
    assert len(set(texts)) == len(texts)


def test_live_alt_text_follows_the_state():
    ex = widgets.ActivationExplorer()
    before = at.plots.alt_text(ex.figure)
    ex.controls["a0"].value = -2.0
    after = at.plots.alt_text(ex.figure)
    assert "a0 = -2.00" in after and after != before
