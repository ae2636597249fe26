"""annteach.plots.line_minimum: the lowest point of a line drawn with the surface's gradient."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import annteach as at


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _grid():
    w = np.linspace(-10, 10, 21)
    return at.error_grid("w5", "w6", w)


def test_line_point_and_arrow_are_where_they_belong():
    A, B, E = _grid()
    point, gradient = np.array([-1.8, 0.2]), np.array([2e-3, -2e-3])
    drawn = at.plots.plot_line_minimum(A, B, E, point, gradient, offset=2, arrow_length=3)
    a, b = drawn["line"].get_data()
    assert np.allclose(b, a + 2)
    # the line stays inside the grid: it ends where w6 = w5 + 2 leaves [-10, 10]^2
    assert (a.min(), a.max()) == (-10, 8)
    assert np.array_equal(np.column_stack(drawn["point"].get_data())[0], point)
    # the arrow points downhill (along -gradient, here up and to the left), 3 units long
    vertices = drawn["arrow"].get_xy()
    far = vertices[np.argmax(np.linalg.norm(vertices - point, axis=1))]
    assert np.allclose(far, point + 3 * np.array([-1, 1]) / np.sqrt(2))
    ax = drawn["line"].axes
    assert ax.get_xlabel() == "$w_{5}$" and ax.get_ylabel() == "$w_{6}$"
    assert drawn["path"] is None
    assert drawn["contour"].levels.min() <= E.min()


def test_arrow_direction_and_length():
    A, B, E = _grid()
    point, gradient = np.array([1.0, 2.0]), np.array([0.0, 4e-3])
    drawn = at.plots.plot_line_minimum(A, B, E, point, gradient, offset=1, arrow_length=2)
    vertices = drawn["arrow"].get_xy()
    # the tip of the head is the vertex farthest from the point: 2 units straight down
    far = vertices[np.argmax(np.linalg.norm(vertices - point, axis=1))]
    assert np.allclose(far, point + [0.0, -2.0])


def test_legend_and_alt_text_say_what_is_drawn():
    A, B, E = _grid()
    point, gradient = np.array([-1.835, 0.165]), np.array([2.05e-3, -2.05e-3])
    path = np.array([point, [-3.0, 1.5], [-7.6, 3.2]])
    drawn = at.plots.plot_line_minimum(A, B, E, point, gradient, offset=2, path=path)
    fig = drawn["line"].figure
    legends = fig.legends + [a.get_legend() for a in fig.axes if a.get_legend()]
    labels = [t.get_text() for legend in legends for t in legend.get_texts()]
    assert labels == ["$w_{6} = w_{5} + 2$", "lowest point on the line",
                      r"downhill: $-\nabla E$", "descent from it, 2 steps",
                      "end of the descent"]
    assert np.array_equal(np.column_stack(drawn["path"].get_data()), path)
    alt = at.plots.alt_text(fig)
    assert "w6 = w5 + 2" in alt and "(-1.83, 0.165)" in alt
    assert "(-0.71, 0.71), at 90 degrees to the line" in alt
    assert "ends at (-7.6, 3.2)" in alt


def test_negative_offset_is_written_with_a_minus():
    A, B, E = _grid()
    drawn = at.plots.plot_line_minimum(A, B, E, [0.0, -3.0], [1.0, 1.0], offset=-3)
    assert drawn["line"].get_label() == "$w_{6} = w_{5} - 3$"
    a, b = drawn["line"].get_data()
    assert (a.min(), a.max()) == (-7, 10) and np.allclose(b, a - 3)
    assert "at 0 degrees to the line" in at.plots.alt_text(drawn["line"].figure)


@pytest.mark.parametrize("point, gradient, message", [
    ([0.0, 0.0], [0.0, 0.0], "no downhill direction"),
    ([0.0, 0.0], [np.nan, 1.0], "no downhill direction"),
    ([0.0, 0.0, 0.0], [1.0, 0.0], "shape"),
])
def test_bad_input_is_named(point, gradient, message):
    A, B, E = _grid()
    with pytest.raises(ValueError, match=message):
        at.plots.plot_line_minimum(A, B, E, point, gradient, offset=2)


def test_bad_path_and_arrow_length_are_named():
    A, B, E = _grid()
    with pytest.raises(ValueError, match="path must have shape"):
        at.plots.plot_line_minimum(A, B, E, [0, 2], [1, -1], offset=2, path=[1, 2, 3])
    with pytest.raises(ValueError, match="arrow_length"):
        at.plots.plot_line_minimum(A, B, E, [0, 2], [1, -1], offset=2, arrow_length=0)
