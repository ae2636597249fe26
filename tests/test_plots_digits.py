"""Tests of the digit gallery: tiling and drawing."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from annteach.plots import alt_text, plot_digit_gallery, tile_images


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _numbered(n, h=2, w=3):
    """Image k is filled with the value k + 1."""
    return np.repeat(np.arange(1, n + 1), h * w).reshape(n, h, w)


def test_tiles_in_row_order_without_gaps():
    tiled = tile_images(_numbered(5), rows=2, cols=3)
    assert tiled.shape == (4, 9)
    expected = np.array([[1, 2, 3],
                         [4, 5, 0]])  # tile values; the empty tile is filled with 0
    np.testing.assert_array_equal(tiled, np.kron(expected, np.ones((2, 3), dtype=int)))


def test_tiles_keep_pixel_layout_and_dtype():
    images = np.arange(2 * 2 * 2, dtype=np.uint8).reshape(2, 2, 2)
    tiled = tile_images(images, rows=1, cols=2, fill=9)
    assert tiled.dtype == np.uint8
    np.testing.assert_array_equal(tiled, [[0, 1, 4, 5], [2, 3, 6, 7]])


@pytest.mark.parametrize("images, rows, cols", [
    (np.zeros((7, 2, 2)), 2, 3),
    (np.zeros((4, 4)), 2, 2),
    (np.zeros((1, 2, 2)), 0, 2),
])
def test_tile_rejects_bad_input(images, rows, cols):
    with pytest.raises(ValueError):
        tile_images(images, rows, cols)


def test_gallery_is_one_image_without_ticks():
    images = _numbered(360, 28, 28)
    image = plot_digit_gallery(images)
    assert image.get_array().shape == (15 * 28, 24 * 28)
    assert image.get_interpolation() == "nearest"
    assert image.get_cmap().name == "gray_r"  # dark ink on a light ground
    ax = image.axes
    assert len(ax.images) == 1
    assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    # image 25 (value 26) is the second tile of the second row
    assert image.get_array()[28, 28] == 26


def test_gallery_captions_sit_in_their_tiles():
    image = plot_digit_gallery(_numbered(4, 28, 28), rows=2, cols=2,
                               captions=["a", "b", "c", "d"])
    texts = {t.get_text(): t.get_position() for t in image.axes.texts}
    assert texts["d"][0] > 28 and texts["d"][1] > 28
    assert texts["a"][0] < 28 and texts["a"][1] < 28


def test_gallery_at_an_integer_pixel_scale_without_empty_slots():
    image = plot_digit_gallery(_numbered(360, 28, 28))
    fig = image.axes.figure
    # 1.5 CSS pixels (3 pixels of the retina image) per image pixel
    assert tuple(fig.get_size_inches() * fig.dpi) == pytest.approx((24 * 28 * 1.5,
                                                                   15 * 28 * 1.5))
    plt.close(fig)
    few = plot_digit_gallery(_numbered(5, 28, 28), rows=1, cols=8, labels=[3, 5, 5, 3, 5],
                             captions=list("53355"))
    assert few.get_array().shape == (28, 5 * 28)  # five tiles, no empty slot
    assert "true digit (top right, green)" in few.axes.get_title(loc="left")
    assert alt_text(few.axes.figure).endswith("the true digits are: 3, 5, 5, 3, 5.")


def test_gallery_rejects_wrong_number_of_captions():
    with pytest.raises(ValueError, match="captions"):
        plot_digit_gallery(_numbered(3), rows=1, cols=3, captions=["x"])
