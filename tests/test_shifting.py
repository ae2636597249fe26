import numpy as np
import pytest

import annteach as at


def test_shift_moves_pixels_and_lets_zeros_in():
    X = np.arange(1, 13, dtype=float).reshape(1, 3, 4)
    before = X.copy()
    right = at.shift_images(X, right=1)
    np.testing.assert_array_equal(right[0], [[0, 1, 2, 3], [0, 5, 6, 7], [0, 9, 10, 11]])
    down_left = at.shift_images(X, right=-2, down=1)
    np.testing.assert_array_equal(down_left[0], [[0, 0, 0, 0], [3, 4, 0, 0], [7, 8, 0, 0]])
    np.testing.assert_array_equal(at.shift_images(X), X)
    np.testing.assert_array_equal(X, before)  # the input is untouched
    assert at.shift_images(X, 1) is not X and right.dtype == X.dtype


def test_shift_matches_np_roll_away_from_the_edge():
    rng = np.random.default_rng(0)
    X = np.zeros((5, 1, 12, 12))
    X[..., 4:8, 4:8] = rng.uniform(size=(5, 1, 4, 4))
    for right, down in [(2, 0), (0, -3), (-4, 4), (3, 2)]:
        expected = np.roll(X, (down, right), axis=(-2, -1))
        np.testing.assert_array_equal(at.shift_images(X, right, down), expected)
        assert not at.lost_ink(X, right, down).any()


def test_lost_ink_finds_the_images_cut_at_the_edge():
    X = np.zeros((3, 5, 5))
    X[0, 2, 2] = 1.0      # centre: survives a shift of 2
    X[1, 1, 4] = 0.5      # right edge: lost when moved right
    X[2, 4, 0] = 0.2      # bottom left corner: lost when moved down or left
    np.testing.assert_array_equal(at.lost_ink(X, right=1), [False, True, False])
    np.testing.assert_array_equal(at.lost_ink(X, right=2), [False, True, False])
    np.testing.assert_array_equal(at.lost_ink(X, down=1), [False, False, True])
    np.testing.assert_array_equal(at.lost_ink(X, right=-1), [False, False, True])
    np.testing.assert_array_equal(at.lost_ink(X, right=3), [True, True, False])


@pytest.mark.parametrize("kwargs, words", [
    ({"right": 28}, "smaller than the images"), ({"down": -28}, "smaller than the images"),
    ({"right": 1.5}, "right must be an integer"), ({"down": True}, "down must be an integer")])
def test_bad_shifts_are_refused(kwargs, words):
    X = np.zeros((2, 28, 28))
    with pytest.raises(ValueError, match=words):
        at.shift_images(X, **kwargs)
    with pytest.raises(ValueError, match=words):
        at.lost_ink(X, **kwargs)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="shape"):
        at.shift_images(np.zeros(5), right=1)
    with pytest.raises(ValueError, match="batch"):
        at.lost_ink(np.zeros((5, 5)), right=1)
