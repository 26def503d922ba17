"""Unit tests of saelib.visualize (chapter 7: display_network).

References are independent of saelib: a tiling built pixel by pixel with plain
loops (filter k in row k // n_cols, column k % n_cols of the grid, `padding` pixels
of -1 around every tile, each filter minus its mean divided by its largest absolute
value), a small tiling written out by hand, and the shape formula of the docstring.

Two tests first caught real bugs and now guard the fixes: a constant filter whose
mean is inexact in floating point was drawn as +-1 instead of 0, and n_cols=0
raised ZeroDivisionError.
"""

import math
import warnings

import matplotlib
import numpy as np
import pytest

from saelib.visualize import display_network

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# --- helpers -----------------------------------------------------------------------


def loop_tiling(A, n_cols=None, padding=1, remove_mean=True):
    """The tiling of the columns of A, pixel by pixel."""
    A = np.asarray(A, dtype=np.float64)
    n_pixels, n = A.shape
    side = math.isqrt(n_pixels)
    if n_cols is None:
        n_cols = 1
        while n_cols * n_cols < n:
            n_cols += 1
    n_rows = -(-n // n_cols)
    height = padding + n_rows * (side + padding)
    width = padding + n_cols * (side + padding)
    tiles = [[-1.0] * width for _ in range(height)]
    for k in range(n):
        column = [float(x) for x in A[:, k]]
        if remove_mean:
            mean = sum(column) / len(column)
            column = [x - mean for x in column]
        biggest = max(abs(x) for x in column)
        if biggest > 0:
            column = [x / biggest for x in column]
        top = padding + (k // n_cols) * (side + padding)
        left = padding + (k % n_cols) * (side + padding)
        for i in range(side):
            for j in range(side):
                tiles[top + i][left + j] = column[i * side + j]
    return np.array(tiles)


def filters(seed, side, n, offset=0.0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((side * side, n)) + offset


def test_public_api_exports_display_network():
    import saelib

    assert saelib.display_network is display_network
    assert "display_network" in saelib.__all__


# --- contents ----------------------------------------------------------------------


def test_hand_written_tiling():
    # Two 2 x 2 filters side by side, padding 1, no mean removal:
    # (1, 2, 3, 4) / 4 and (-4, 0, 2, 1) / 4, each laid out row by row.
    A = np.array([[1.0, -4.0], [2.0, 0.0], [3.0, 2.0], [4.0, 1.0]])
    b = -1.0
    expected = np.array(
        [
            [b, b, b, b, b, b, b],
            [b, 0.25, 0.5, b, -1.0, 0.0, b],
            [b, 0.75, 1.0, b, 0.5, 0.25, b],
            [b, b, b, b, b, b, b],
        ]
    )
    np.testing.assert_array_equal(display_network(A, remove_mean=False), expected)


def test_hand_written_tiling_with_mean_removal():
    # (1, 2, 3, 4) minus 2.5 is (-1.5, -0.5, 0.5, 1.5), divided by 1.5.
    A = np.array([[1.0], [2.0], [3.0], [4.0]])
    b = -1.0
    expected = np.array(
        [
            [b, b, b, b],
            [b, -1.0, -1 / 3, b],
            [b, 1 / 3, 1.0, b],
            [b, b, b, b],
        ]
    )
    np.testing.assert_allclose(display_network(A), expected, rtol=1e-15)


@pytest.mark.parametrize(
    "side, n, n_cols, padding",
    [
        (8, 25, None, 1),
        (8, 7, None, 1),
        (3, 10, 4, 2),
        (4, 5, 1, 0),
        (5, 3, 3, 1),
        (2, 6, 10, 3),
        (1, 4, 2, 1),
        (6, 17, None, 0),
    ],
)
@pytest.mark.parametrize("remove_mean", [True, False])
def test_matches_loop_tiling(side, n, n_cols, padding, remove_mean):
    A = filters(side * 10 + n, side, n, offset=0.7)
    got = display_network(A, n_cols=n_cols, padding=padding, remove_mean=remove_mean)
    expected = loop_tiling(A, n_cols, padding, remove_mean)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)
    background = expected == -1.0
    assert np.all(got[background] == -1.0)


def test_each_tile_is_in_its_place():
    # Filter k is a dot at pixel k of a 4 x 4 patch, scaled by k + 1: without mean
    # removal its tile is 1 at that pixel and 0 elsewhere.
    side, n, n_cols, padding = 4, 7, 3, 2
    A = np.zeros((side * side, n))
    for k in range(n):
        A[k, k] = k + 1.0
    tiles = display_network(A, n_cols=n_cols, padding=padding, remove_mean=False)
    step = side + padding
    assert tiles.shape == (3 * step + padding, 3 * step + padding)
    for k in range(9):
        r, c = divmod(k, n_cols)
        tile = tiles[padding + r * step :, padding + c * step :][:side, :side]
        if k < n:
            expected = np.zeros((side, side))
            expected[k // side, k % side] = 1.0
        else:  # empty slots at the end of the last row
            expected = -np.ones((side, side))
        np.testing.assert_array_equal(tile, expected)


def test_every_filter_is_scaled_to_max_abs_one():
    side, n = 5, 9
    A = filters(3, side, n) * np.array([1e-8, 1e-3, 1, 10, 1e6, 2, 3, 4, 5])
    tiles = display_network(A, padding=1)
    step = side + 1
    for k in range(n):
        r, c = divmod(k, 3)
        tile = tiles[1 + r * step : 1 + r * step + side, 1 + c * step :][:, :side]
        assert np.abs(tile).max() == 1.0
        assert abs(tile.mean()) < 1e-12  # mean removed before scaling
    assert tiles.min() >= -1.0 and tiles.max() <= 1.0


def test_remove_mean_ignores_a_constant_added_to_each_filter():
    A = filters(4, 6, 5)
    shifted = A + np.array([3.0, -7.0, 0.5, 100.0, -0.25])
    np.testing.assert_allclose(display_network(shifted), display_network(A), atol=1e-12)


def test_positive_scaling_changes_nothing_and_a_sign_flip_negates_the_tiles():
    A = filters(5, 6, 4)
    scaled = A * np.array([2.0, 1e-5, 3e4, 0.3])
    base = display_network(A)
    np.testing.assert_allclose(display_network(scaled), base, rtol=1e-13, atol=1e-15)
    flipped = display_network(-A)
    inside = loop_tiling(A) != -1.0
    np.testing.assert_allclose(flipped[inside], -base[inside], rtol=1e-13)
    np.testing.assert_array_equal(flipped[~inside], -1.0)


def test_remove_mean_false_keeps_the_mean():
    A = np.abs(filters(6, 4, 3)) + 1.0  # all positive
    tiles = display_network(A, remove_mean=False, padding=0, n_cols=3)
    for k in range(3):
        tile = tiles[:, 4 * k : 4 * k + 4]
        np.testing.assert_allclose(tile, A[:, k].reshape(4, 4) / A[:, k].max())
        assert tile.min() > 0


@pytest.mark.parametrize("remove_mean", [True, False])
def test_zero_filter_gives_zeros_not_nan(remove_mean):
    A = filters(7, 3, 3)
    A[:, 1] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tiles = display_network(A, n_cols=3, remove_mean=remove_mean)
    assert np.all(np.isfinite(tiles))
    np.testing.assert_array_equal(tiles[1:4, 5:8], np.zeros((3, 3)))


@pytest.mark.parametrize("side, value", [(3, 0.5), (8, -2.0), (8, 0.25), (5, 0.0)])
def test_constant_filter_with_mean_removal_gives_zeros(side, value):
    # Constants whose mean is computed exactly: minus the mean, the filter is 0.
    A = filters(8, side, 2)
    A[:, 0] = value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tiles = display_network(A, n_cols=2)
    np.testing.assert_array_equal(tiles[1 : 1 + side, 1 : 1 + side], 0.0)


@pytest.mark.parametrize("side", [3, 8])
@pytest.mark.parametrize("value", [0.1, 0.3, 0.7, 1 / 3, -0.1, 0.01, 1e6 / 7])
def test_constant_filter_with_mean_removal_is_finite(side, value):
    A = filters(8, side, 2)
    A[:, 0] = value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tiles = display_network(A, n_cols=2)
    assert np.all(np.isfinite(tiles))
    assert tiles.min() >= -1.0 and tiles.max() <= 1.0


@pytest.mark.parametrize("side, value", [(8, 0.1), (8, 0.3), (3, 0.7)])
def test_constant_filter_with_inexact_mean_gives_zeros(side, value):
    A = filters(8, side, 2)
    A[:, 0] = value
    tiles = display_network(A, n_cols=2)
    np.testing.assert_allclose(tiles[1 : 1 + side, 1 : 1 + side], 0.0, atol=1e-6)


def test_constant_filter_without_mean_removal_is_its_sign():
    A = np.column_stack([np.full(9, 0.3), np.full(9, -2.0)])
    tiles = display_network(A, n_cols=2, remove_mean=False)
    np.testing.assert_array_equal(tiles[1:4, 1:4], np.ones((3, 3)))
    np.testing.assert_array_equal(tiles[1:4, 5:8], -np.ones((3, 3)))


# --- shape -------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 9, 10, 16, 17, 24, 25, 26, 100])
@pytest.mark.parametrize("padding", [0, 1, 3])
def test_default_shape_formula(n, padding):
    side = 3
    n_cols = math.ceil(math.sqrt(n))
    n_rows = math.ceil(n / n_cols)
    tiles = display_network(filters(n, side, n), padding=padding)
    step = side + padding
    assert tiles.shape == (n_rows * step + padding, n_cols * step + padding)
    assert tiles.dtype == np.float64


@pytest.mark.parametrize(
    "n, n_cols, n_rows", [(1, 1, 1), (7, 1, 7), (7, 2, 4), (7, 7, 1), (7, 9, 1)]
)
def test_shape_formula_with_n_cols(n, n_cols, n_rows):
    side, padding = 4, 2
    tiles = display_network(filters(n, side, n), n_cols=n_cols, padding=padding)
    step = side + padding
    assert tiles.shape == (n_rows * step + padding, n_cols * step + padding)


def test_notes_configuration_shape():
    # 25 hidden units of 8 x 8: a 5 x 5 grid, 5 * 9 + 1 = 46 pixels a side.
    assert display_network(filters(9, 8, 25)).shape == (46, 46)


# --- input handling ----------------------------------------------------------------


def test_lists_and_integers_are_accepted():
    A = np.random.default_rng(10).integers(-5, 6, (9, 4))
    A[0] = 7  # no constant column
    expected = display_network(A.astype(np.float64))
    np.testing.assert_array_equal(display_network(A), expected)
    np.testing.assert_array_equal(display_network(A.tolist()), expected)


def test_input_is_not_modified():
    A = filters(11, 4, 5)
    before = A.copy()
    display_network(A)
    display_network(A, remove_mean=False)
    np.testing.assert_array_equal(A, before)


@pytest.mark.parametrize("rows", [2, 3, 5, 10, 63, 65])
def test_rejects_non_square_pixel_count(rows):
    with pytest.raises(ValueError, match="square"):
        display_network(np.ones((rows, 3)) + np.arange(rows)[:, None])


@pytest.mark.parametrize(
    "A", [np.arange(16.0), np.zeros((4, 4, 2)), np.float64(1.0), np.zeros((16, 0))]
)
def test_rejects_input_that_is_not_a_nonempty_matrix(A):
    with pytest.raises(ValueError, match="2-D"):
        display_network(A)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_rejects_nan_and_inf(bad):
    A = filters(12, 3, 4)
    A[4, 2] = bad
    with pytest.raises(ValueError, match="NaN or inf"):
        display_network(A)


def test_rejects_zero_columns():
    with pytest.raises(ValueError):
        display_network(filters(13, 3, 4), n_cols=0)


# --- drawing -----------------------------------------------------------------------


def test_draws_the_tiling_on_given_axes():
    A = filters(14, 5, 6)
    fig, ax = plt.subplots()
    try:
        tiles = display_network(A, ax=ax)
        assert len(ax.images) == 1
        image = ax.images[0]
        np.testing.assert_array_equal(np.asarray(image.get_array()), tiles)
        assert image.get_clim() == (-1, 1)  # mid-grey is zero
        assert image.get_cmap().name == "gray"
        assert not ax.axison
        fig.canvas.draw()  # renders with the Agg backend
    finally:
        plt.close(fig)
    np.testing.assert_array_equal(tiles, display_network(A))


def test_no_figure_is_created_without_axes():
    before = plt.get_fignums()
    display_network(filters(15, 4, 3))
    assert plt.get_fignums() == before


# --- reliability (issue 12) ------------------------------------------------------

FILTERS = np.random.default_rng(5).standard_normal((16, 5))


def test_display_network_refuses_complex_filters():
    with pytest.raises(TypeError, match="A must hold real numbers.*complex"):
        display_network(FILTERS + 1j)


@pytest.mark.parametrize("shape", [(16, 0), (0, 5), (0, 0)])
def test_display_network_refuses_no_pixels_or_no_filters(shape):
    with pytest.raises(ValueError, match="non-empty"):
        display_network(np.zeros(shape))


@pytest.mark.parametrize("n_cols", ["2", True, 2.0])
def test_display_network_refuses_n_cols_that_is_not_an_int(n_cols):
    with pytest.raises(TypeError, match="n_cols must be an int"):
        display_network(FILTERS, n_cols=n_cols)


@pytest.mark.parametrize("padding", ["1", False, 1.0])
def test_display_network_refuses_padding_that_is_not_an_int(padding):
    with pytest.raises(TypeError, match="padding must be an int"):
        display_network(FILTERS, padding=padding)


def test_display_network_refuses_negative_padding_and_zero_columns():
    with pytest.raises(ValueError, match="padding must be an int >= 0"):
        display_network(FILTERS, padding=-1)
    with pytest.raises(ValueError, match="n_cols must be an int >= 1"):
        display_network(FILTERS, n_cols=0)


@pytest.mark.parametrize("remove_mean", ["no", 0, None])
def test_display_network_refuses_remove_mean_that_is_not_a_bool(remove_mean):
    with pytest.raises(TypeError, match="remove_mean must be True or False"):
        display_network(FILTERS, remove_mean=remove_mean)
