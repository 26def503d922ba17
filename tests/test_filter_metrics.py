"""Unit tests of saelib.filter_metrics (chapter 7: localization and orientation).

References are independent of saelib: plain-loop implementations of
eq-localization and eq-orientation (the orientation one with its own DFT, a sum of
cosines and sines, not np.fft), closed forms derived here (a single bright pixel as a
mixture of a point mass and uniform energy, energy spread evenly, a filter constant
along one axis, two opposite corners), and symmetry arguments: 180-degree rotation
and transposition leave the power spectrum's doubled angles' resultant unchanged,
and a filter with the symmetries of the square has no orientation.

Two tests first caught real bugs and now guard the fixes: with an even ``n_fft`` a
90-degree rotation changed the score (the Nyquist corner frequency has no single
angle; ``n_fft`` must now be odd), and an ``n_fft`` smaller than the filter silently
cropped it.
"""

import math
from fractions import Fraction

import numpy as np
import pytest

from saelib.filter_metrics import localization, orientation_selectivity

# --- helpers -----------------------------------------------------------------------


def columns(images):
    """Stack p x p images as the columns of a (p * p, n) array, row by row."""
    return np.stack([np.asarray(im, dtype=np.float64).ravel() for im in images], 1)


def images_of(filters):
    """Inverse of `columns`: (p * p, n) to a list of p x p images."""
    side = math.isqrt(filters.shape[0])
    return [filters[:, k].reshape(side, side) for k in range(filters.shape[1])]


def centred(image):
    """The image (nested lists) minus its mean, by loops."""
    values = [[float(x) for x in row] for row in np.asarray(image)]
    p = len(values)
    mean = sum(sum(row) for row in values) / (p * p)
    return [[x - mean for x in row] for row in values]


def loop_localization(image):
    """eq-localization with loops: 1 - sigma^2 / (2 (p^2 - 1) / 12)."""
    w = centred(image)
    p = len(w)
    total = sum(x * x for row in w for x in row)
    energy = [[x * x / total for x in row] for row in w]
    cu = sum(energy[u][v] * u for u in range(p) for v in range(p))
    cv = sum(energy[u][v] * v for u in range(p) for v in range(p))
    spread = sum(
        energy[u][v] * ((u - cu) ** 2 + (v - cv) ** 2)
        for u in range(p)
        for v in range(p)
    )
    return 1.0 - spread / (2 * (p * p - 1) / 12)


def frequency_of(index, n):
    """Signed frequency of DFT coefficient `index` of n (n/2 counts as -1/2)."""
    return (index if index < n - n // 2 else index - n) / n


def loop_orientation(image, n_fft=33):
    """eq-orientation with loops and a DFT written out as cosines and sines.

    P(k, l) = |sum_{u,v} w_uv exp(-2 pi i (k u + l v) / n)|^2 (w zero-padded to
    n x n), phi = atan2(f_k, f_l), the zero frequency left out of both sums.
    """
    w = centred(image)
    p, n = len(w), n_fft
    cos_table = [math.cos(2 * math.pi * t / n) for t in range(n)]
    sin_table = [math.sin(2 * math.pi * t / n) for t in range(n)]
    re_sum = im_sum = power_sum = 0.0
    for k in range(n):
        for m in range(n):
            if k == 0 and m == 0:
                continue
            re = im = 0.0
            for u in range(p):
                for v in range(p):
                    t = (k * u + m * v) % n
                    re += w[u][v] * cos_table[t]
                    im -= w[u][v] * sin_table[t]
            power = re * re + im * im
            phi = math.atan2(frequency_of(k, n), frequency_of(m, n))
            re_sum += power * math.cos(2 * phi)
            im_sum += power * math.sin(2 * phi)
            power_sum += power
    return math.hypot(re_sum, im_sum) / power_sum


def random_filters(seed, p, n):
    return np.random.default_rng(seed).standard_normal((p * p, n))


def dot(p, r, c):
    image = np.zeros((p, p))
    image[r, c] = 1.0
    return image


def dot_localization(p, r, c):
    """Closed form of L for a single bright pixel at (r, c) on a p x p grid.

    After mean removal the pixel is 1 - 1/N and the others -1/N (N = p^2), so the
    energy is (N - 1)/N at the pixel and 1/(N (N - 1)) at each other pixel: a point
    mass alpha = 1 - beta at x0 plus uniform energy of total beta = 1/(N - 1).
    The variance of that mixture is beta s + alpha beta |x0 - xbar|^2, with
    s = 2 (p^2 - 1)/12 the variance of the uniform part, hence
    L = 1 - beta - alpha beta |x0 - xbar|^2 / s.
    """
    n = Fraction(p * p)
    beta = 1 / (n - 1)
    alpha = 1 - beta
    half = Fraction(p - 1, 2)
    distance2 = (r - half) ** 2 + (c - half) ** 2
    s = Fraction(2 * (p * p - 1), 12)
    return float(1 - beta - alpha * beta * distance2 / s)


def gaussian_blob(p, width):
    centre = (p - 1) / 2
    u, v = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
    return np.exp(-((u - centre) ** 2 + (v - centre) ** 2) / (2 * width**2))


def grating(p, cycles, vertical=True):
    """Stripes cos(2 pi cycles x / p), x the column (vertical stripes) or row."""
    u, v = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
    x = v if vertical else u
    return np.cos(2 * np.pi * cycles * x / p)


METRICS = [localization, orientation_selectivity]


def test_public_api_exports_the_filter_metrics():
    import saelib

    assert saelib.localization is localization
    assert saelib.orientation_selectivity is orientation_selectivity
    assert {"localization", "orientation_selectivity"} <= set(saelib.__all__)


# --- against the loop references ---------------------------------------------------


@pytest.mark.parametrize("p, n, seed", [(2, 3, 0), (3, 4, 1), (5, 4, 2), (8, 6, 3)])
def test_localization_matches_loop_reference(p, n, seed):
    filters = random_filters(seed, p, n)
    expected = [loop_localization(im) for im in images_of(filters)]
    got = localization(filters)
    assert got.shape == (n,)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "p, n_fft, seed", [(2, 5, 0), (3, 7, 1), (4, 9, 2), (5, 13, 3), (8, 33, 4)]
)
def test_orientation_matches_loop_reference(p, n_fft, seed):
    filters = random_filters(seed, p, 3)
    expected = [loop_orientation(im, n_fft) for im in images_of(filters)]
    got = orientation_selectivity(filters, n_fft=n_fft)
    assert got.shape == (3,)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


def test_orientation_default_n_fft_is_33():
    filters = random_filters(5, 8, 2)
    expected = [loop_orientation(im, 33) for im in images_of(filters)]
    np.testing.assert_allclose(
        orientation_selectivity(filters), expected, rtol=1e-12, atol=1e-14
    )


def test_orientation_of_structured_filters_matches_loop_reference():
    images = [dot(8, 2, 5), grating(8, 2), gaussian_blob(8, 1.5), grating(8, 1.5)]
    expected = [loop_orientation(im) for im in images]
    np.testing.assert_allclose(
        orientation_selectivity(columns(images)), expected, rtol=1e-12, atol=1e-14
    )


# --- localization: closed forms ----------------------------------------------------


@pytest.mark.parametrize("p", [2, 3, 5, 8])
def test_localization_of_a_single_pixel_closed_form(p):
    positions = [(r, c) for r in range(p) for c in range(p)]
    got = localization(columns([dot(p, r, c) for r, c in positions]))
    expected = [dot_localization(p, r, c) for r, c in positions]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_a_single_pixel_is_most_localized_at_the_centre():
    p = 8
    positions = [(r, c) for r in range(p) for c in range(p)]
    got = localization(columns([dot(p, r, c) for r, c in positions]))
    assert got.min() > 0.94
    best = {positions[k] for k in np.flatnonzero(np.isclose(got, got.max()))}
    assert best == {(3, 3), (3, 4), (4, 3), (4, 4)}
    # and least localized in the four corners
    worst = {positions[k] for k in np.flatnonzero(np.isclose(got, got.min()))}
    assert worst == {(0, 0), (0, 7), (7, 0), (7, 7)}


@pytest.mark.parametrize("p", [2, 4, 8])
def test_evenly_spread_energy_has_zero_localization(p):
    # A zero-mean filter of +-1 has w^2 = 1 everywhere: the uniform energy whose
    # variance is the denominator, so L = 0.
    u, v = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
    checkerboard = (-1.0) ** (u + v)
    rng = np.random.default_rng(p)
    signs = rng.permutation(np.repeat([1.0, -1.0], p * p // 2)).reshape(p, p)
    np.testing.assert_allclose(
        localization(columns([checkerboard, signs])), [0.0, 0.0], atol=1e-12
    )


@pytest.mark.parametrize("transpose", [False, True])
def test_localization_of_a_filter_constant_along_one_axis(transpose):
    # w_uv = g_v with g of zero mean: along u the energy is uniform (variance
    # (p^2 - 1)/12), along v it is g^2 / sum g^2 with variance var_v, so
    # L = 1 - ((p^2 - 1)/12 + var_v) / (2 (p^2 - 1)/12) = 1/2 - 6 var_v / (p^2 - 1).
    # p = 8: g = (1, -1, 0...): var_v = 1/4, L = 1/2 - 1/42 = 10/21;
    # g = (1, 0..., -1): var_v = 49/4, L = 1/2 - 7/6 = -2/3;
    # g = (1, 1, 1, 1, -1, -1, -1, -1): energy uniform, L = 0;
    # g = (0, 0, 2, -1, -1, 0, 0, 0): energy (4, 1, 1)/6 at v = 2, 3, 4, centroid
    # 5/2, var_v = 7/12, L = 1/2 - 1/18 = 4/9.
    p = 8
    cases = [
        ((1, -1, 0, 0, 0, 0, 0, 0), Fraction(10, 21)),
        ((1, 0, 0, 0, 0, 0, 0, -1), Fraction(-2, 3)),
        ((1, 1, 1, 1, -1, -1, -1, -1), Fraction(0)),
        ((0, 0, 2, -1, -1, 0, 0, 0), Fraction(4, 9)),
    ]
    images = []
    for g, _ in cases:
        image = np.tile(np.array(g, dtype=float), (p, 1))
        images.append(image.T if transpose else image)
    np.testing.assert_allclose(
        localization(columns(images)),
        [float(value) for _, value in cases],
        rtol=1e-12,
        atol=1e-12,
    )


def test_localization_of_two_opposite_corners_is_negative():
    # Energy split between (0, 0) and (p-1, p-1): sigma^2 = (p - 1)^2 / 2 exceeds
    # the uniform variance (p^2 - 1)/6, so L = 1 - 3 (p - 1)/(p + 1) < 0 (-4/3 for
    # p = 8). The formula's range is not [0, 1]: uniform energy is not the most
    # spread out distribution.
    images = []
    for p in (2, 5, 8):
        image = np.zeros((p, p))
        image[0, 0], image[-1, -1] = 1.0, -1.0
        images.append(image)
    for p, image in zip((2, 5, 8), images, strict=True):
        assert localization(columns([image]))[0] == pytest.approx(
            1 - 3 * (p - 1) / (p + 1), rel=1e-12, abs=1e-12
        )
    assert localization(columns([images[-1]]))[0] == pytest.approx(-4 / 3)


# --- invariances -------------------------------------------------------------------


def transformed(filters, operation):
    return columns([operation(im) for im in images_of(filters)])


INVARIANCES = {
    "scale": lambda im: 3.7 * im,
    "tiny scale": lambda im: 1e-6 * im,
    "sign": lambda im: -im,
    "constant": lambda im: im + 5.0,
    "rotate 180": lambda im: im[::-1, ::-1],
    "transpose": lambda im: im.T,
}


@pytest.mark.parametrize("name", INVARIANCES)
@pytest.mark.parametrize("metric", METRICS)
def test_metric_invariances(metric, name):
    filters = random_filters(11, 8, 20)
    np.testing.assert_allclose(
        metric(transformed(filters, INVARIANCES[name])),
        metric(filters),
        rtol=1e-10,
        atol=1e-12,
    )


@pytest.mark.parametrize("name", ["rotate 90", "mirror"])
def test_localization_is_invariant_under_the_symmetries_of_the_square(name):
    operation = {"rotate 90": np.rot90, "mirror": np.fliplr}[name]
    filters = random_filters(12, 8, 20)
    np.testing.assert_allclose(
        localization(transformed(filters, operation)),
        localization(filters),
        rtol=1e-12,
    )


@pytest.mark.parametrize("name", ["rotate 90", "mirror"])
def test_orientation_is_invariant_under_rotation_by_90_degrees_for_odd_n_fft(name):
    # Rotating the spectrum by 90 degrees negates every e^{2 i phi}; a mirror image
    # conjugates them. Either way the resultant length is unchanged. With an odd
    # n_fft every frequency on the grid has its rotated and mirrored counterparts.
    operation = {"rotate 90": np.rot90, "mirror": np.flipud}[name]
    filters = random_filters(13, 8, 20)
    np.testing.assert_allclose(
        orientation_selectivity(transformed(filters, operation), n_fft=33),
        orientation_selectivity(filters, n_fft=33),
        rtol=1e-10,
        atol=1e-12,
    )


@pytest.mark.parametrize("case", ["rotate 90", "mirror", "checkerboard"])
def test_orientation_is_invariant_under_rotation_by_90_degrees(case):
    if case == "checkerboard":
        u, v = np.meshgrid(np.arange(8), np.arange(8), indexing="ij")
        checkerboard = columns([(-1.0) ** (u + v)])
        assert orientation_selectivity(checkerboard)[0] < 1e-12
        return
    operation = {"rotate 90": np.rot90, "mirror": np.flipud}[case]
    filters = random_filters(13, 8, 20)
    np.testing.assert_allclose(
        orientation_selectivity(transformed(filters, operation)),
        orientation_selectivity(filters),
        rtol=1e-10,
        atol=1e-12,
    )


# --- orientation: known patterns ---------------------------------------------------


@pytest.mark.parametrize("p, width", [(8, 1.0), (8, 2.0), (7, 1.5), (6, 0.8)])
def test_a_round_blob_has_no_orientation(p, width):
    # A filter with the symmetries of the square has a resultant that a mirror
    # conjugates and a transposition maps to minus its conjugate: it is both real
    # and imaginary, hence 0, exactly so with the odd n_fft the function requires.
    blob = gaussian_blob(p, width)
    assert orientation_selectivity(columns([blob]), n_fft=33)[0] < 1e-12
    assert orientation_selectivity(columns([blob]))[0] < 1e-3


def test_vertical_and_horizontal_gratings_are_equally_and_strongly_oriented():
    images = [grating(8, c, vertical) for c in (1, 2, 3) for vertical in (True, False)]
    got = orientation_selectivity(columns(images))
    np.testing.assert_allclose(got[0::2], got[1::2], rtol=1e-12)
    blob = orientation_selectivity(columns([gaussian_blob(8, 1.5)]))[0]
    assert np.all(got > 0.3)
    assert np.all(got > 100 * blob)


def test_a_grating_is_more_oriented_than_a_dot_and_less_localized():
    images = [grating(8, 2), dot(8, 3, 3)]
    o = orientation_selectivity(columns(images))
    loc = localization(columns(images))
    assert o[0] > 10 * o[1]
    assert loc[1] > 0.9 > 0.1 > loc[0]


def test_orientation_lies_in_the_unit_interval():
    rng = np.random.default_rng(21)
    filters = np.hstack(
        [
            rng.standard_normal((64, 50)),
            rng.uniform(0, 1, (64, 50)) ** 8,  # sparse, dot-like
            columns([grating(8, c, v) for c in (0.5, 1, 2, 3.5, 4) for v in (0, 1)]),
            columns([dot(8, r, c) for r in range(8) for c in range(0, 8, 3)]),
        ]
    )
    for n_fft in (9, 17, 33, 65):
        o = orientation_selectivity(filters, n_fft=n_fft)
        assert np.all(np.isfinite(o))
        assert np.all((o >= 0) & (o <= 1 + 1e-12))


# --- input handling ----------------------------------------------------------------


@pytest.mark.parametrize("metric", METRICS)
def test_each_column_is_measured_on_its_own(metric):
    filters = random_filters(31, 5, 6)
    together = metric(filters)
    alone = [metric(filters[:, [k]])[0] for k in range(6)]
    np.testing.assert_allclose(together, alone, rtol=1e-13)
    np.testing.assert_allclose(metric(filters[:, ::-1]), together[::-1], rtol=1e-13)


@pytest.mark.parametrize("metric", METRICS)
def test_lists_and_integers_are_accepted(metric):
    filters = np.random.default_rng(32).integers(-5, 6, (16, 4))
    expected = metric(filters.astype(np.float64))
    np.testing.assert_allclose(metric(filters), expected, rtol=1e-15)
    np.testing.assert_allclose(metric(filters.tolist()), expected, rtol=1e-15)
    assert metric(filters).dtype == np.float64


@pytest.mark.parametrize("metric", METRICS)
def test_input_is_not_modified(metric):
    filters = random_filters(33, 4, 3)
    before = filters.copy()
    metric(filters)
    np.testing.assert_array_equal(filters, before)


@pytest.mark.parametrize("rows", [2, 3, 5, 15, 63, 65])
@pytest.mark.parametrize("metric", METRICS)
def test_rejects_non_square_filters(metric, rows):
    filters = np.random.default_rng(rows).standard_normal((rows, 3))
    with pytest.raises(ValueError, match="square"):
        metric(filters)


@pytest.mark.parametrize("metric", METRICS)
def test_rejects_one_dimensional_input(metric):
    with pytest.raises(ValueError, match="2-D"):
        metric(np.arange(16.0))
    with pytest.raises(ValueError, match="2-D"):
        metric(np.zeros((4, 4, 2)) + np.arange(2))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("metric", METRICS)
def test_rejects_nan_and_inf(metric, bad):
    filters = random_filters(34, 4, 3)
    filters[5, 1] = bad
    with pytest.raises(ValueError, match="NaN or inf"):
        metric(filters)


@pytest.mark.parametrize("value", [0.0, 1.0, -2.5])
@pytest.mark.parametrize("metric", METRICS)
def test_rejects_a_constant_filter(metric, value):
    filters = random_filters(35, 4, 3)
    filters[:, 2] = value
    with pytest.raises(ValueError, match="constant"):
        metric(filters)


@pytest.mark.parametrize("metric", METRICS)
def test_rejects_single_pixel_filters(metric):
    # A 1 x 1 filter is constant: without the check L would divide by 0.
    with pytest.raises(ValueError, match="constant"):
        metric(np.array([[1.0, 2.0]]))


def test_orientation_rejects_n_fft_smaller_than_the_filter():
    filters = random_filters(36, 8, 3)
    with pytest.raises(ValueError):
        orientation_selectivity(filters, n_fft=4)


def test_n_fft_equal_to_the_filter_side_is_accepted():
    filters = random_filters(37, 5, 2)
    expected = [loop_orientation(im, 5) for im in images_of(filters)]
    np.testing.assert_allclose(
        orientation_selectivity(filters, n_fft=5), expected, rtol=1e-12
    )


@pytest.mark.parametrize("n_fft", [8, 32, 34])
def test_orientation_rejects_an_even_n_fft(n_fft):
    # An even grid has a Nyquist frequency with no single orientation.
    with pytest.raises(ValueError, match="odd"):
        orientation_selectivity(random_filters(38, 8, 2), n_fft=n_fft)


# --- reliability (issue 12) ------------------------------------------------------

FILTERS = np.random.default_rng(6).standard_normal((49, 4))


@pytest.mark.parametrize("measure", [localization, orientation_selectivity])
def test_filter_measures_refuse_complex_filters(measure):
    with pytest.raises(TypeError, match="complex"):
        measure(FILTERS + 1j * FILTERS)


@pytest.mark.parametrize("measure", [localization, orientation_selectivity])
@pytest.mark.parametrize("shape", [(49, 0), (0, 4)])
def test_filter_measures_refuse_no_pixels_or_no_filters(measure, shape):
    with pytest.raises(ValueError, match="non-empty"):
        measure(np.zeros(shape))


@pytest.mark.parametrize("n_fft", ["33", True, 33.0])
def test_orientation_selectivity_refuses_n_fft_that_is_not_an_int(n_fft):
    with pytest.raises(TypeError, match="n_fft must be an int"):
        orientation_selectivity(FILTERS, n_fft=n_fft)
