"""Smoke tests for annteach.plots.surfaces (Agg backend)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import annteach as at


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _small_grid():
    w = np.linspace(-10, 10, 9)
    W5, W6 = np.meshgrid(w, w)
    return W5, W6, at.xor_error(w5=W5, w6=W6)


def test_surface_faces_follow_the_error_grid():
    W5, W6, E = _small_grid()
    surface = at.plots.plot_error_surface(W5, W6, E)
    ax = surface.axes
    assert ax.name == "3d"
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()) == ("$w_{5}$", "$w_{6}$", "$E$")
    # Each face is coloured by the mean height of its four corners.
    cell_means = (E[:-1, :-1] + E[1:, :-1] + E[:-1, 1:] + E[1:, 1:]) / 4
    assert np.allclose(np.sort(surface.get_array()), np.sort(cell_means.ravel()))


def test_surface_rejects_mismatched_grids():
    W5, W6, E = _small_grid()
    with pytest.raises(ValueError, match="one shape"):
        at.plots.plot_error_surface(W5, W6, E[:-1])


def test_contour_with_paths():
    W5, W6, E = _small_grid()
    path = np.array([[-2.0, -1.0], [-3.0, 0.5], [-5.0, 2.0]])
    contour, lines = at.plots.plot_error_contour(W5, W6, E, names=("w5", "w6"), paths=[path])
    assert contour.levels.min() <= E.min() and contour.levels.max() >= E.max()
    assert len(lines) == 1
    assert np.array_equal(np.column_stack(lines[0].get_data()), path)
    assert lines[0].axes.get_xlabel() == "$w_{5}$"


def test_sample_errors_two_panels_and_one():
    w = np.linspace(-10, 10, 21)
    errors = at.xor_sample_errors(w5=w, w6=w + 2)
    sample_lines, total = at.plots.plot_sample_errors(w, errors, labels=list("abcd"))
    assert len(sample_lines) == 4
    for line, e in zip(sample_lines, errors, strict=True):
        assert np.array_equal(line.get_ydata(), e)
    assert np.allclose(total.get_ydata(), at.xor_error(w5=w, w6=w + 2))
    assert total.axes is not sample_lines[0].axes
    fig, ax = plt.subplots()
    sample_lines, total = at.plots.plot_sample_errors(w, errors, ax=ax)
    assert total.axes is ax and sample_lines[0].axes is ax


def test_sample_errors_rejects_wrong_shape():
    with pytest.raises(ValueError, match="shape"):
        at.plots.plot_sample_errors(np.arange(5), np.zeros((4, 6)))
