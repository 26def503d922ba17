"""Unit tests of saelib.images (chapter 6: natural images, whitening and patches).

References are independent of saelib: closed forms (the DFT of a cosine, Parseval),
synthetic images built in the Fourier domain with a known power spectrum, a matrix
DFT and a loop over frequencies for the radial spectrum, a mirror built with
np.block for the whitening filter, images whose pixels encode their own coordinates
for the patches, and a plain-loop normalization.

Three tests here first caught real bugs (constant images and patches that rounding
let through, the Nyquist frequency left out of the spectrum); they now guard the
fixes.
"""

import math
import socket

import numpy as np
import pytest

from saelib.images import (
    PHOTOGRAPHS,
    downsample,
    load_photographs,
    normalize_patches,
    photograph_to_float,
    radial_power_spectrum,
    sample_patches,
    whiten_image,
)

# --- helpers ---------------------------------------------------------------------


def frequency_of(index, n):
    """Signed DFT frequency (cycles per sample) of coefficient `index` of n."""
    return (index if index <= (n - 1) // 2 else index - n) / n


def radial_grid(h, w):
    """|f| of every DFT coefficient of an h x w image, built with plain loops."""
    return np.array(
        [
            [math.hypot(frequency_of(u, h), frequency_of(v, w)) for v in range(w)]
            for u in range(h)
        ]
    )


def power_law_image(shape, alpha, seed=0):
    """Real image whose DFT has modulus exactly f**(-alpha / 2), random phases.

    The phases are those of the DFT of real white noise, so they have the Hermitian
    symmetry of a real image; the power |DFT|**2 is exactly f**-alpha (0 at f = 0).
    """
    h, w = shape
    rng = np.random.default_rng(seed)
    phase = np.angle(np.fft.fft2(rng.standard_normal(shape)))
    f = radial_grid(h, w)
    amplitude = np.zeros(shape)
    amplitude[f > 0] = f[f > 0] ** (-alpha / 2)
    image = np.fft.ifft2(amplitude * np.exp(1j * phase))
    assert np.abs(image.imag).max() < 1e-12 * np.abs(image.real).max()
    return image.real


def loglog_slope(frequencies, power, low=0.01, high=0.2):
    band = (frequencies > low) & (frequencies < high)
    assert np.all(np.isfinite(power[band]))
    return np.polyfit(np.log(frequencies[band]), np.log(power[band]), 1)[0]


def reference_whiten(image, f0=0.4):
    """Mirror to 2h x 2w, multiply the DFT by f exp(-(f/f0)^4), crop, standardize."""
    image = np.asarray(image, dtype=np.float64)
    h, w = image.shape
    mirrored = np.block([[image, image[:, ::-1]], [image[::-1, :], image[::-1, ::-1]]])
    fy = np.fft.fftfreq(2 * h)[:, None]
    fx = np.fft.fftfreq(2 * w)[None, :]
    f = np.sqrt(fx**2 + fy**2)
    filtered = np.fft.ifft2(np.fft.fft2(mirrored) * f * np.exp(-((f / f0) ** 4)))
    out = filtered.real[:h, :w]
    return (out - out.mean()) / out.std()


def reference_radial_spectrum(image, n_bins, f_min):
    """Loop over DFT coefficients (computed by matrix products, not np.fft).

    Returns bin centres, mean power per bin (NaN if empty) and counts per bin.
    Bins are [edge_i, edge_{i+1}) with edge_i = f_min (0.5 / f_min)**(i / n_bins).
    """
    image = np.asarray(image, dtype=np.float64)
    h, w = image.shape
    x = image - image.mean()
    dft_h = np.exp(-2j * np.pi * np.outer(np.arange(h), np.arange(h)) / h)
    dft_w = np.exp(-2j * np.pi * np.outer(np.arange(w), np.arange(w)) / w)
    coefficients = dft_h @ x @ dft_w
    ratio = 0.5 / f_min
    edges = [f_min * ratio ** (i / n_bins) for i in range(n_bins + 1)]
    centres = np.array([f_min * ratio ** ((i + 0.5) / n_bins) for i in range(n_bins)])
    totals = [0.0] * n_bins
    counts = [0] * n_bins
    f = radial_grid(h, w)
    for u in range(h):
        for v in range(w):
            for i in range(n_bins):
                if edges[i] < f[u, v] <= edges[i + 1]:
                    totals[i] += abs(coefficients[u, v]) ** 2 / (h * w)
                    counts[i] += 1
                    break
    mean = np.array(
        [t / c if c else np.nan for t, c in zip(totals, counts, strict=True)]
    )
    return centres, mean, np.array(counts)


def coordinate_image(k, h, w):
    """Pixel (r, c) of image k holds 1e6 k + 1000 r + c (needs h, w < 1000)."""
    return 1e6 * k + 1000.0 * np.arange(h)[:, None] + np.arange(w)[None, :]


def decode(value):
    """(image index, row, col) from a pixel of coordinate_image."""
    value = int(value)
    return value // 1_000_000, (value % 1_000_000) // 1000, value % 1000


def reference_normalize(patches):
    """Plain loops: centre each column, clip to +-3 std of all entries, map."""
    n_rows, n_cols = patches.shape
    centred = [[0.0] * n_cols for _ in range(n_rows)]
    for j in range(n_cols):
        mean = math.fsum(patches[i, j] for i in range(n_rows)) / n_rows
        for i in range(n_rows):
            centred[i][j] = patches[i, j] - mean
    entries = [value for row in centred for value in row]
    mu = math.fsum(entries) / len(entries)
    sigma = math.sqrt(math.fsum((e - mu) ** 2 for e in entries) / len(entries))
    out = np.empty((n_rows, n_cols))
    for i in range(n_rows):
        for j in range(n_cols):
            clipped = min(max(centred[i][j], -3 * sigma), 3 * sigma)
            out[i, j] = 0.1 + 0.8 * (clipped + 3 * sigma) / (6 * sigma)
    return out


# --- load_photographs ------------------------------------------------------------


@pytest.fixture(scope="module")
def photographs():
    """All seven photographs at full resolution, loaded once, network forbidden."""

    def no_network(*args, **kwargs):
        raise AssertionError("load_photographs tried to use the network")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", no_network)
        mp.setattr(socket, "create_connection", no_network)
        mp.setattr(socket, "getaddrinfo", no_network)
        return load_photographs(downsample_factor=1)


def test_load_photographs_gives_seven_grey_float_images_in_unit_range(photographs):
    assert len(PHOTOGRAPHS) == 7 and len(set(PHOTOGRAPHS)) == 7
    assert len(photographs) == 7
    for image in photographs:
        assert isinstance(image, np.ndarray)
        assert image.dtype == np.float64
        assert image.ndim == 2
        assert min(image.shape) >= 64
        assert 0.0 <= image.min() and image.max() <= 1.0
        assert image.std() > 0.05  # a photograph, not a blank


def test_load_photographs_native_sizes(photographs):
    shapes = [image.shape for image in photographs]
    assert (512, 512) in shapes
    assert min(h * w for h, w in shapes) == 300 * 451
    assert all(300 <= h <= 512 and 451 <= w <= 640 for h, w in shapes)
    assert len({image.tobytes() for image in photographs}) == 7  # all different


def test_load_photographs_halves_by_default(photographs):
    halved = load_photographs()
    for full, half in zip(photographs, halved, strict=True):
        assert half.shape == (full.shape[0] // 2, full.shape[1] // 2)
        h, w = half.shape
        blocks = full[: 2 * h, : 2 * w]
        expected = (
            blocks[0::2, 0::2]
            + blocks[1::2, 0::2]
            + blocks[0::2, 1::2]
            + blocks[1::2, 1::2]
        ) / 4
        np.testing.assert_allclose(half, expected, rtol=0, atol=1e-15)


def test_downsample_is_the_mean_of_each_block_by_loops():
    image = np.random.default_rng(3).uniform(size=(7, 10))
    got = downsample(image, 3)
    assert got.shape == (2, 3)  # the trailing row and column are dropped
    for i in range(2):
        for j in range(3):
            block = image[3 * i : 3 * i + 3, 3 * j : 3 * j + 3]
            assert got[i, j] == pytest.approx(block.sum() / 9, rel=1e-14)
    np.testing.assert_array_equal(downsample(image, 1), image)


@pytest.mark.parametrize("factor", [0, -2, 11])
def test_downsample_rejects_bad_factors(factor):
    with pytest.raises(ValueError):
        downsample(np.ones((10, 10)), factor)


@pytest.mark.parametrize("factor", [2.0, True, "2", None])
def test_downsample_refuses_a_factor_that_is_not_an_int(factor):
    with pytest.raises(TypeError, match="factor must be an int"):
        downsample(np.ones((10, 10)), factor)


def test_load_photographs_subset_keeps_order_and_matches_full_load(photographs):
    subset = load_photographs(["flower", "camera", "china"], downsample_factor=1)
    assert len(subset) == 3
    for image, name in zip(subset, ["flower", "camera", "china"], strict=True):
        np.testing.assert_array_equal(image, photographs[PHOTOGRAPHS.index(name)])


def test_load_photographs_camera_is_the_uint8_image_over_255(photographs):
    from skimage import data

    raw = data.camera()
    camera = photographs[PHOTOGRAPHS.index("camera")]
    np.testing.assert_allclose(camera, raw / 255.0, rtol=0, atol=1e-15)


def test_load_photographs_colour_images_are_convex_mixes_of_channels(photographs):
    from sklearn.datasets import load_sample_images

    rgb = (
        next(
            im
            for im, name in zip(
                load_sample_images().images, load_sample_images().filenames, strict=True
            )
            if name.endswith("china.jpg")
        )
        / 255.0
    )
    grey = photographs[PHOTOGRAPHS.index("china")]
    assert grey.shape == rgb.shape[:2]
    assert np.all(grey >= rgb.min(axis=2) - 1e-12)
    assert np.all(grey <= rgb.max(axis=2) + 1e-12)
    # grey levels, not one channel: correlated with each channel, none identical
    for channel in range(3):
        assert not np.allclose(grey, rgb[:, :, channel])
        assert np.corrcoef(grey.ravel(), rgb[:, :, channel].ravel())[0, 1] > 0.8


@pytest.mark.parametrize("names", [["lena"], ["camera", "Camera"], ["camera", "moon"]])
def test_load_photographs_rejects_unknown_names(names):
    with pytest.raises(ValueError, match="unknown photographs"):
        load_photographs(names)


def test_load_photographs_takes_a_single_name_as_a_string():
    (camera,) = load_photographs("camera")
    np.testing.assert_array_equal(camera, load_photographs(["camera"])[0])


# --- whiten_image ----------------------------------------------------------------


@pytest.mark.parametrize("shape", [(32, 32), (23, 31), (40, 17), (2, 3)])
def test_whiten_image_has_same_shape_mean_zero_and_unit_variance(shape):
    rng = np.random.default_rng(1)
    image = rng.uniform(0, 1, shape).cumsum(axis=0) + 5.0
    out = whiten_image(image)
    assert out.shape == shape and out.dtype == np.float64
    assert abs(out.mean()) < 1e-12
    assert abs(out.var() - 1.0) < 1e-12


@pytest.mark.parametrize("f0", [0.05, 0.2, 0.4, 0.5])
@pytest.mark.parametrize("shape", [(24, 24), (19, 33), (8, 5)])
def test_whiten_image_equals_mirror_filter_crop_reference(shape, f0):
    rng = np.random.default_rng(sum(shape))
    image = rng.normal(size=shape).cumsum(axis=1) + 0.3 * rng.normal(size=shape)
    np.testing.assert_allclose(
        whiten_image(image, f0=f0), reference_whiten(image, f0), rtol=0, atol=1e-10
    )


def test_whiten_image_default_f0_is_0_4():
    image = power_law_image((20, 28), alpha=2.0, seed=3)
    np.testing.assert_allclose(
        whiten_image(image), reference_whiten(image, 0.4), rtol=0, atol=1e-10
    )
    assert not np.allclose(whiten_image(image), reference_whiten(image, 0.2))


def test_whiten_image_is_invariant_to_brightness_and_contrast():
    image = power_law_image((30, 22), alpha=2.0, seed=4)
    out = whiten_image(image)
    np.testing.assert_allclose(whiten_image(7.5 * image - 3.0), out, atol=1e-10)
    np.testing.assert_allclose(whiten_image(-image), -out, atol=1e-10)


def test_whiten_image_accepts_integer_images_and_lists():
    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, (12, 14))
    expected = reference_whiten(image.astype(np.float64))
    np.testing.assert_allclose(whiten_image(image), expected, atol=1e-10)
    np.testing.assert_allclose(whiten_image(image.tolist()), expected, atol=1e-10)


def test_whiten_image_does_not_modify_its_input():
    image = power_law_image((16, 16), alpha=2.0, seed=6)
    copy = image.copy()
    whiten_image(image)
    np.testing.assert_array_equal(image, copy)


def test_whitened_spectrum_of_exact_power_law_image_is_flat():
    # Power exactly 1/f^2 on the 256 x 256 grid. Whitening multiplies the power by
    # |R(f)|^2 = f^2 exp(-2 (f/f0)^4): we divide the known roll-off out and expect a
    # constant. Before whitening, the bins between 0.01 and 0.2 cycles/pixel span a
    # factor (0.2 / 0.01)^2 = 400 in power; the only departures from flatness left
    # are from the mirror (its spectrum is not exactly that of the periodic image)
    # and the crop, measured below 10 % per bin. A tolerance of a factor 1.25 per
    # bin (and |slope| < 0.1 against -2 before) leaves a margin and still rejects a
    # whitening that is off by f^0.2 (a factor 1.8 across the band).
    f0 = 0.4
    image = power_law_image((256, 256), alpha=2.0, seed=0)
    frequencies, before = radial_power_spectrum(image)
    assert loglog_slope(frequencies, before) == pytest.approx(-2.0, abs=0.05)

    frequencies, after = radial_power_spectrum(whiten_image(image, f0=f0))
    band = (frequencies > 0.01) & (frequencies < 0.2)
    assert band.sum() >= 15
    flat = after[band] / np.exp(-2 * (frequencies[band] / f0) ** 4)
    ratio = flat / np.median(flat)
    assert np.all((ratio > 0.8) & (ratio < 1.25)), ratio
    assert abs(loglog_slope(frequencies[band], flat, 0, 1)) < 0.1
    # without dividing out the roll-off, the band is still nearly flat (chapter 6)
    assert abs(loglog_slope(frequencies, after)) < 0.1


def test_whitening_the_wrong_power_law_is_not_flat():
    # The flatness test above can fail: for power 1/f^3 the whitened power goes as
    # 1/f, a log-log slope of -1.
    image = power_law_image((256, 256), alpha=3.0, seed=0)
    frequencies, after = radial_power_spectrum(whiten_image(image))
    band = (frequencies > 0.01) & (frequencies < 0.2)
    flat = after[band] / np.exp(-2 * (frequencies[band] / 0.4) ** 4)
    assert loglog_slope(frequencies[band], flat, 0, 1) == pytest.approx(-1.0, abs=0.1)


def test_whiten_image_flattens_the_camera_photograph(photographs):
    camera = photographs[PHOTOGRAPHS.index("camera")]
    assert loglog_slope(*radial_power_spectrum(camera)) < -1.5
    assert abs(loglog_slope(*radial_power_spectrum(whiten_image(camera)))) < 0.7


@pytest.mark.parametrize(
    "image",
    [
        np.arange(10.0),
        np.ones((4, 5, 3)),
        np.array(3.0),
        np.array([[0.0, 1.0], [np.nan, 2.0]]),
        np.array([[0.0, np.inf], [1.0, 2.0]]),
        np.ones((16, 16)),
        np.zeros((7, 9)),
    ],
    ids=["1-D", "3-D", "0-D", "NaN", "inf", "ones", "zeros"],
)
def test_whiten_image_rejects_bad_images(image):
    with pytest.raises(ValueError):
        whiten_image(image)


@pytest.mark.parametrize("f0", [0.0, -0.1, 0.5000001, 0.6, 1.0, np.nan])
def test_whiten_image_rejects_f0_outside_open_closed_unit_half(f0):
    with pytest.raises(ValueError, match="f0"):
        whiten_image(np.random.default_rng(0).normal(size=(8, 8)), f0=f0)


def test_whiten_image_rejects_every_constant_image():
    leaked = []
    for value in (0.1, 0.3, 1 / 3, 0.6, math.pi):
        for shape in ((5, 7), (17, 13), (31, 31)):
            try:
                whiten_image(np.full(shape, value))
            except ValueError:
                continue
            leaked.append((value, shape))
    assert not leaked, f"constant images whitened without error: {leaked}"


# --- radial_power_spectrum -------------------------------------------------------


@pytest.mark.parametrize("n_bins, f_min", [(30, 0.004), (7, 0.05), (1, 0.1)])
def test_radial_power_spectrum_frequencies_are_log_spaced_bin_centres(n_bins, f_min):
    frequencies, power = radial_power_spectrum(np.eye(9), n_bins=n_bins, f_min=f_min)
    assert frequencies.shape == power.shape == (n_bins,)
    ratio = 0.5 / f_min
    expected = [f_min * ratio ** ((i + 0.5) / n_bins) for i in range(n_bins)]
    np.testing.assert_allclose(frequencies, expected, rtol=1e-12)
    assert np.all(np.diff(frequencies) > 0)
    assert f_min < frequencies[0] and frequencies[-1] < 0.5


@pytest.mark.parametrize("shape", [(15, 21), (9, 9), (27, 11)])
def test_radial_power_spectrum_equals_loop_reference(shape):
    rng = np.random.default_rng(shape[0])
    image = rng.normal(size=shape) + 2.0
    frequencies, power = radial_power_spectrum(image, n_bins=12, f_min=0.02)
    ref_frequencies, ref_power, counts = reference_radial_spectrum(image, 12, 0.02)
    np.testing.assert_allclose(frequencies, ref_frequencies, rtol=1e-12)
    np.testing.assert_array_equal(np.isnan(power), counts == 0)
    np.testing.assert_allclose(power, ref_power, rtol=1e-10, equal_nan=True)


def test_radial_power_spectrum_empty_bins_are_nan():
    # On a 16 x 16 grid the smallest nonzero frequency is 1/16: every bin below it
    # is empty, and so are some narrow log-spaced bins above it.
    n, n_bins, f_min = 16, 30, 0.004
    _, power = radial_power_spectrum(np.eye(n) + np.arange(n))
    edges = [f_min * (0.5 / f_min) ** (i / n_bins) for i in range(n_bins + 1)]
    grid = radial_grid(n, n)
    counts = np.array(
        [np.sum((grid > edges[i]) & (grid <= edges[i + 1])) for i in range(n_bins)]
    )
    assert np.all(counts[np.array(edges[1:]) <= 1 / n] == 0)
    assert 0 < np.sum(counts == 0) < n_bins
    np.testing.assert_array_equal(np.isnan(power), counts == 0)


@pytest.mark.parametrize("kx, ky", [(5, 0), (0, 5), (3, 4), (4, -3), (7, 0), (0, 11)])
def test_radial_power_spectrum_of_a_cosine_sits_in_one_bin(kx, ky):
    # cos(2 pi (kx x + ky y) / N): two DFT coefficients of modulus N^2 / 2, so power
    # |c|^2 / N^2 = N^2 / 4 each, at |f| = sqrt(kx^2 + ky^2) / N.
    n, n_bins, f_min = 64, 20, 0.01
    y, x = np.mgrid[0:n, 0:n]
    image = np.cos(2 * np.pi * (kx * x + ky * y) / n)
    frequencies, power = radial_power_spectrum(image, n_bins=n_bins, f_min=f_min)

    f = math.hypot(kx, ky) / n
    edges = [f_min * (0.5 / f_min) ** (i / n_bins) for i in range(n_bins + 1)]
    target = next(i for i in range(n_bins) if edges[i] < f <= edges[i + 1])
    grid = radial_grid(n, n)
    count = int(np.sum((grid > edges[target]) & (grid <= edges[target + 1])))
    assert power[target] == pytest.approx(2 * (n * n / 4) / count, rel=1e-9)
    others = np.delete(power, target)
    assert np.nanmax(others) < 1e-20 * power[target]


def test_radial_power_spectrum_parseval_for_band_limited_image():
    # All the energy inside [f_min, 0.5): sum over bins of mean power times the
    # number of coefficients is the sum of squared deviations (Parseval).
    h, w, n_bins, f_min = 31, 45, 10, 0.03
    rng = np.random.default_rng(8)
    grid = radial_grid(h, w)
    spectrum = np.fft.fft2(rng.normal(size=(h, w)))
    spectrum[(grid < 1.5 * f_min) | (grid > 0.45)] = 0
    image = np.fft.ifft2(spectrum).real + 4.0
    _, power = radial_power_spectrum(image, n_bins=n_bins, f_min=f_min)
    _, _, counts = reference_radial_spectrum(image, n_bins, f_min)
    total = np.nansum(power * counts)
    assert total == pytest.approx(np.sum((image - image.mean()) ** 2), rel=1e-10)


def test_radial_power_spectrum_of_exact_power_law_is_bin_mean_of_f_power():
    h, w = 40, 56
    image = power_law_image((h, w), alpha=2.0, seed=2)
    frequencies, power = radial_power_spectrum(image, n_bins=8, f_min=0.03)
    grid = radial_grid(h, w)
    edges = [0.03 * (0.5 / 0.03) ** (i / 8) for i in range(9)]
    for i in range(8):
        inside = (grid > edges[i]) & (grid <= edges[i + 1])  # bins are (low, high]
        expected = np.mean(grid[inside] ** -2.0) / (h * w)
        assert power[i] == pytest.approx(expected, rel=1e-9)


def test_radial_power_spectrum_ignores_the_mean():
    image = np.random.default_rng(9).normal(size=(20, 20))
    _, p1 = radial_power_spectrum(image)
    _, p2 = radial_power_spectrum(image + 100.0)
    np.testing.assert_allclose(p1, p2, rtol=1e-9, equal_nan=True)


@pytest.mark.parametrize(
    "image",
    [np.arange(8.0), np.ones((3, 3, 3)), np.array([[1.0, np.nan], [0.0, 0.0]])],
    ids=["1-D", "3-D", "NaN"],
)
def test_radial_power_spectrum_rejects_bad_images(image):
    with pytest.raises(ValueError):
        radial_power_spectrum(image)


def test_radial_power_spectrum_counts_the_nyquist_frequency():
    n = 16
    image = np.tile(np.cos(np.pi * np.arange(n)), (n, 1))  # (-1)^x, f = 0.5
    _, power = radial_power_spectrum(image, n_bins=5, f_min=0.05)
    assert np.nansum(power) > 0


# --- sample_patches --------------------------------------------------------------


def assert_patches_are_blocks(patches, images, patch_size):
    """Each column is images[k][r:r+p, c:c+p] row by row, k, r, c from pixel 0."""
    p = patch_size
    assert patches.shape[0] == p * p
    for column in patches.T:
        k, r, c = decode(column[0])
        image = images[k]
        assert r + p <= image.shape[0] and c + p <= image.shape[1]
        np.testing.assert_array_equal(column, image[r : r + p, c : c + p].ravel())


def test_sample_patches_shape_and_contiguous_blocks_from_images_of_different_sizes():
    images = [coordinate_image(0, 40, 60), coordinate_image(1, 25, 30)]
    images.append(coordinate_image(2, 8, 100))
    patches = sample_patches(images, 8, 300, rng=0)
    assert patches.shape == (64, 300) and patches.dtype == np.float64
    assert_patches_are_blocks(patches, images, 8)


def test_sample_patches_flattens_rows_first():
    image = coordinate_image(0, 5, 7)
    patches = sample_patches([image], 2, 50, rng=1)
    for column in patches.T:
        k, r, c = decode(column[0])
        expected = [
            1000 * r + c,
            1000 * r + c + 1,
            1000 * (r + 1) + c,
            1000 * (r + 1) + c + 1,
        ]
        np.testing.assert_array_equal(column, expected)


def test_sample_patches_accepts_a_3d_stack_like_a_list():
    stack = np.stack([coordinate_image(k, 12, 15) for k in range(4)])
    from_stack = sample_patches(stack, 5, 200, rng=3)
    assert from_stack.shape == (25, 200)
    assert_patches_are_blocks(from_stack, stack, 5)
    np.testing.assert_array_equal(from_stack, sample_patches(list(stack), 5, 200, 3))


def test_sample_patches_patch_as_large_as_the_image():
    image = coordinate_image(0, 6, 9)
    patches = sample_patches([image, coordinate_image(1, 10, 6)], 6, 20, rng=0)
    assert_patches_are_blocks(patches, [image, coordinate_image(1, 10, 6)], 6)
    whole = patches[:, patches[0] == 0]
    assert whole.shape[1] > 0
    np.testing.assert_array_equal(
        whole.T, np.tile(image[:, :6].ravel(), (whole.shape[1], 1))
    )


def test_sample_patches_one_patch_of_one_pixel():
    patches = sample_patches([coordinate_image(0, 3, 4)], 1, 1, rng=0)
    assert patches.shape == (1, 1)
    k, r, c = decode(patches[0, 0])
    assert k == 0 and 0 <= r < 3 and 0 <= c < 4


def test_sample_patches_is_reproducible_with_a_seed_and_differs_with_another():
    images = [coordinate_image(0, 30, 30), coordinate_image(1, 20, 40)]
    a = sample_patches(images, 4, 100, rng=42)
    np.testing.assert_array_equal(a, sample_patches(images, 4, 100, rng=42))
    assert not np.array_equal(a, sample_patches(images, 4, 100, rng=43))
    np.testing.assert_array_equal(
        a, sample_patches(images, 4, 100, rng=np.random.default_rng(42))
    )


def test_sample_patches_advances_a_shared_generator_and_accepts_none():
    images = [coordinate_image(0, 30, 30)]
    rng = np.random.default_rng(0)
    first = sample_patches(images, 4, 50, rng=rng)
    second = sample_patches(images, 4, 50, rng=rng)
    assert not np.array_equal(first, second)
    assert_patches_are_blocks(sample_patches(images, 4, 50), images, 4)


def test_sample_patches_is_roughly_uniform_over_images_of_different_sizes():
    # Each image is chosen with probability 1/3 whatever its size. Chi-square with 2
    # degrees of freedom: P(X > 25) = 4e-6, a very loose bound (seed fixed).
    images = [
        coordinate_image(0, 10, 10),
        coordinate_image(1, 50, 80),
        coordinate_image(2, 9, 30),
    ]
    n = 30_000
    patches = sample_patches(images, 3, n, rng=7)
    which = (patches[0] // 1_000_000).astype(int)
    counts = np.bincount(which, minlength=3)
    chi2 = np.sum((counts - n / 3) ** 2 / (n / 3))
    assert chi2 < 25, counts


def test_sample_patches_positions_cover_the_whole_valid_range_uniformly():
    # 10 x 12 image, 3 x 3 patches: rows 0..7, columns 0..9, 80 positions. Every
    # one, including the last row and column, must occur; chi-square with 79 dof
    # (mean 79, sd 12.6) must stay below 79 + 6 sd.
    h, w, p, n = 10, 12, 3, 24_000
    patches = sample_patches([coordinate_image(0, h, w)], p, n, rng=11)
    rows = (patches[0] // 1000).astype(int)
    cols = (patches[0] % 1000).astype(int)
    assert rows.min() == 0 and rows.max() == h - p
    assert cols.min() == 0 and cols.max() == w - p
    counts = np.bincount(rows * (w - p + 1) + cols, minlength=(h - p + 1) * (w - p + 1))
    assert counts.size == 80 and counts.min() > 0
    expected = n / 80
    chi2 = np.sum((counts - expected) ** 2 / expected)
    assert chi2 < 79 + 6 * math.sqrt(2 * 79)


def test_sample_patches_covers_last_positions_of_each_image_in_a_list():
    images = [coordinate_image(0, 7, 9), coordinate_image(1, 11, 5)]
    patches = sample_patches(images, 4, 4000, rng=5)
    for k, image in enumerate(images):
        first = patches[0][patches[0] // 1_000_000 == k]
        rows = ((first % 1_000_000) // 1000).astype(int)
        cols = (first % 1000).astype(int)
        assert set(rows) == set(range(image.shape[0] - 4 + 1))
        assert set(cols) == set(range(image.shape[1] - 4 + 1))


def test_sample_patches_does_not_modify_the_images():
    images = [coordinate_image(0, 12, 12), coordinate_image(1, 9, 14)]
    copies = [im.copy() for im in images]
    sample_patches(images, 4, 100, rng=0)
    for image, copy in zip(images, copies, strict=True):
        np.testing.assert_array_equal(image, copy)


def test_sample_patches_accepts_integer_sizes_from_numpy():
    patches = sample_patches([coordinate_image(0, 9, 9)], np.int64(3), np.int32(10), 0)
    assert patches.shape == (9, 10)


GOOD = [coordinate_image(0, 10, 12), coordinate_image(1, 8, 20)]


@pytest.mark.parametrize(
    "images, patch_size, num_patches",
    [
        (GOOD, 9, 10),  # larger than the smallest side (8) of the second image
        ([coordinate_image(0, 5, 30)], 6, 10),
        (GOOD, 0, 10),
        (GOOD, -2, 10),
        (GOOD, 3, 0),
        (GOOD, 3, -5),
        ([], 3, 10),
        (np.empty((0, 10, 10)), 3, 10),
        (coordinate_image(0, 10, 12), 3, 10),  # a single 2-D array, not a list
        ([GOOD[0], np.full((10, 10), np.nan)], 3, 10),
        ([np.where(GOOD[0] == 5, np.inf, GOOD[0])], 3, 10),
        ([np.arange(20.0)], 3, 10),
        ([np.ones((10, 10, 3))], 3, 10),
    ],
    ids=[
        "too-big",
        "too-big-single",
        "size-0",
        "size-negative",
        "num-0",
        "num-negative",
        "empty-list",
        "empty-stack",
        "single-2d-array",
        "nan",
        "inf",
        "1-D-image",
        "3-D-image",
    ],
)
def test_sample_patches_rejects_bad_arguments(images, patch_size, num_patches):
    with pytest.raises(ValueError):
        sample_patches(images, patch_size, num_patches, rng=0)


@pytest.mark.parametrize(
    "patch_size, num_patches, name",
    [
        (3.0, 10, "patch_size"),
        ("3", 10, "patch_size"),
        (True, 10, "patch_size"),
        (3, 2.5, "num_patches"),
        (3, 10.0, "num_patches"),
        (3, None, "num_patches"),
    ],
)
def test_sample_patches_refuses_sizes_that_are_not_ints(patch_size, num_patches, name):
    with pytest.raises(TypeError, match=f"{name} must be an int"):
        sample_patches(GOOD, patch_size, num_patches, rng=0)


# --- normalize_patches -----------------------------------------------------------


@pytest.mark.parametrize("shape", [(64, 50), (2, 3), (9, 1), (3, 7), (25, 40)])
def test_normalize_patches_equals_loop_reference(shape):
    rng = np.random.default_rng(shape[0] * 100 + shape[1])
    patches = rng.standard_t(df=3, size=shape) * 2.0 + rng.normal(size=shape[1]) * 5
    np.testing.assert_allclose(
        normalize_patches(patches), reference_normalize(patches), rtol=0, atol=1e-12
    )


def test_normalize_patches_clips_heavy_tails_to_the_unit_margins():
    rng = np.random.default_rng(12)
    patches = rng.standard_cauchy(size=(64, 200))
    out = normalize_patches(patches)
    assert out.shape == patches.shape and out.dtype == np.float64
    assert out.min() >= 0.1 and out.max() <= 0.9
    assert out.min() == 0.1 and out.max() == 0.9  # some entries were truncated
    np.testing.assert_allclose(out, reference_normalize(patches), atol=1e-12)


def test_normalize_patches_closed_form():
    # Columns [m - d, m + d]: centred entries +-d, so sigma = sqrt(mean(d^2)) and
    # the lower entry maps to 1 minus the upper one.
    rng = np.random.default_rng(17)
    m = rng.normal(scale=20, size=20)
    for d in (
        np.array([1.0, 2.0, 3.0, 10.0]),  # nothing beyond 3 sigma
        np.r_[np.ones(19), 10.0],  # 10 > 3 sigma = 3 sqrt(119 / 20) = 7.3
    ):
        patches = np.vstack([m[: d.size] - d, m[: d.size] + d])
        three_sigma = 3 * math.sqrt(np.mean(d**2))
        expected_top = 0.5 + 0.4 * np.minimum(d, three_sigma) / three_sigma
        out = normalize_patches(patches)
        np.testing.assert_allclose(out[1], expected_top, atol=1e-14)
        np.testing.assert_allclose(out[0], 1.0 - expected_top, atol=1e-14)
    assert out[1, -1] == 0.9 and out[0, -1] == 0.1
    np.testing.assert_allclose(out[1, 0], 0.5 + 0.4 / three_sigma, atol=1e-14)


def test_normalize_patches_maps_each_column_median_to_one_half_on_symmetric_data():
    rng = np.random.default_rng(13)
    half = rng.laplace(size=(16, 30)) * rng.uniform(0.5, 3, size=30)
    offsets = rng.normal(scale=10, size=30)
    patches = np.vstack([half, -half]) + offsets  # symmetric about each offset
    out = normalize_patches(patches)
    np.testing.assert_allclose(np.median(out, axis=0), 0.5, atol=1e-12)
    np.testing.assert_allclose(out.mean(axis=0), 0.5, atol=1e-12)


def test_normalize_patches_is_invariant_to_column_offsets_and_global_scale():
    rng = np.random.default_rng(14)
    patches = rng.normal(size=(16, 20))
    out = normalize_patches(patches)
    transformed = 4.0 * patches + rng.normal(scale=50, size=20)
    np.testing.assert_allclose(normalize_patches(transformed), out, atol=1e-12)
    np.testing.assert_allclose(normalize_patches(-patches), 1.0 - out, atol=1e-12)


def test_normalize_patches_does_not_modify_its_input():
    patches = np.random.default_rng(15).normal(size=(9, 11))
    copy = patches.copy()
    out = normalize_patches(patches)
    np.testing.assert_array_equal(patches, copy)
    assert not np.shares_memory(out, patches)


def test_normalize_patches_accepts_integers_and_lists():
    patches = np.random.default_rng(16).integers(0, 256, (9, 6))
    expected = reference_normalize(patches.astype(np.float64))
    np.testing.assert_allclose(normalize_patches(patches), expected, atol=1e-12)
    np.testing.assert_allclose(
        normalize_patches(patches.tolist()), expected, atol=1e-12
    )


@pytest.mark.parametrize(
    "patches",
    [
        np.full((64, 10), 0.25),
        np.zeros((4, 3)),
        np.tile([1.0, 2.0, -7.0], (9, 1)),  # every column constant, exactly
        np.array([[1.0, 2.0], [np.nan, 3.0]]),
        np.array([[1.0, 2.0], [-np.inf, 3.0]]),
        np.arange(6.0),
        np.ones((2, 3, 4)),
        np.array(1.0),
    ],
    ids=["constant", "zeros", "constant-columns", "nan", "inf", "1-D", "3-D", "0-D"],
)
def test_normalize_patches_rejects_bad_input(patches):
    with pytest.raises(ValueError):
        normalize_patches(patches)


def test_normalize_patches_rejects_constant_columns_whatever_their_value():
    patches = np.tile([0.1, 0.3, 1 / 3], (9, 1))  # each patch constant
    with pytest.raises(ValueError):
        normalize_patches(patches)


# --- reliability (issue 12): input checked before work, loaders refuse bad data ---

RNG = np.random.default_rng(2024)
IMAGE = RNG.uniform(size=(20, 24))


@pytest.mark.parametrize(
    "call",
    [
        lambda im: downsample(im),
        lambda im: whiten_image(im),
        lambda im: radial_power_spectrum(im),
        lambda im: sample_patches([im], 4, 3, rng=0),
        lambda im: normalize_patches(im),
    ],
    ids=[
        "downsample",
        "whiten_image",
        "radial_power_spectrum",
        "sample_patches",
        "normalize_patches",
    ],
)
def test_image_functions_refuse_complex_input_instead_of_dropping_the_imaginary_part(
    call,
):
    with pytest.raises(TypeError, match="complex"):
        call(IMAGE + 1j * IMAGE)


@pytest.mark.parametrize(
    "call",
    [
        lambda im: downsample(im),
        lambda im: whiten_image(im),
        lambda im: radial_power_spectrum(im),
        lambda im: sample_patches([im], 1, 3, rng=0),
    ],
    ids=["downsample", "whiten_image", "radial_power_spectrum", "sample_patches"],
)
@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (0, 0)])
def test_image_functions_refuse_an_empty_image(call, shape):
    with pytest.raises(ValueError, match="non-empty"):
        call(np.zeros(shape))


@pytest.mark.parametrize("shape", [(0, 3), (3, 0)])
def test_normalize_patches_refuses_no_pixels_or_no_patches(shape):
    with pytest.raises(ValueError, match="non-empty"):
        normalize_patches(np.zeros(shape))


@pytest.mark.parametrize(
    "patches", [np.array([["a", "b"]]), np.array([[1.0, object()]], dtype=object)]
)
def test_normalize_patches_refuses_what_is_not_numbers(patches):
    with pytest.raises(TypeError, match="patches"):
        normalize_patches(patches)


@pytest.mark.parametrize("f0", ["0.4", True, None, np.array([0.4])])
def test_whiten_image_refuses_an_f0_that_is_not_a_number(f0):
    with pytest.raises(TypeError, match="f0 must be a real number"):
        whiten_image(IMAGE, f0=f0)


@pytest.mark.parametrize("n_bins", ["3", True, 2.5])
def test_radial_power_spectrum_refuses_n_bins_that_is_not_an_int(n_bins):
    with pytest.raises(TypeError, match="n_bins must be an int"):
        radial_power_spectrum(IMAGE, n_bins=n_bins)


def test_radial_power_spectrum_refuses_zero_bins():
    with pytest.raises(ValueError, match="n_bins must be an int >= 1"):
        radial_power_spectrum(IMAGE, n_bins=0)


@pytest.mark.parametrize("f_min", [0.0, -1.0, 0.5, 0.6, np.nan])
def test_radial_power_spectrum_refuses_f_min_outside_zero_to_nyquist(f_min):
    with pytest.raises(
        ValueError, match=r"f_min must be a finite number in \(0, 0.5\)"
    ):
        radial_power_spectrum(IMAGE, n_bins=5, f_min=f_min)


@pytest.mark.parametrize("f_min", ["0.1", True])
def test_radial_power_spectrum_refuses_f_min_that_is_not_a_number(f_min):
    with pytest.raises(TypeError, match="f_min must be a real number"):
        radial_power_spectrum(IMAGE, n_bins=5, f_min=f_min)


def test_sample_patches_refuses_a_negative_seed():
    with pytest.raises(ValueError, match="rng must be an int seed >= 0"):
        sample_patches([IMAGE], 4, 3, rng=-1)


@pytest.mark.parametrize("rng", ["1", True, 1.5])
def test_sample_patches_refuses_a_seed_that_is_not_an_int(rng):
    with pytest.raises(TypeError, match="rng must be an int seed"):
        sample_patches([IMAGE], 4, 3, rng=rng)


def test_sample_patches_same_seed_or_generator_same_patches():
    a = sample_patches([IMAGE], 4, 5, rng=7)
    b = sample_patches([IMAGE], 4, 5, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("names", [5, None])
def test_load_photographs_refuses_names_that_are_not_names(names):
    with pytest.raises(TypeError, match="names must be"):
        load_photographs(names)


@pytest.mark.parametrize("names", [[], (), [5]])
def test_load_photographs_refuses_no_names_and_non_string_names(names):
    with pytest.raises(ValueError, match="names is empty|unknown photographs"):
        load_photographs(names)


@pytest.mark.parametrize(
    "factor, error",
    [("2", TypeError), (True, TypeError), (2.0, TypeError), (0, ValueError)],
)
def test_load_photographs_refuses_a_bad_downsample_factor(factor, error):
    with pytest.raises(error, match="downsample_factor must be an int"):
        load_photographs("camera", downsample_factor=factor)


# photograph_to_float validates one array as a package ships it; the loaders call
# it on every photograph, so corrupt arrays can be injected here directly.


def test_photograph_uint8_and_uint16_are_scaled_by_their_dtype_not_by_255():
    grey8 = RNG.integers(0, 256, (6, 7)).astype(np.uint8)
    grey16 = grey8.astype(np.uint16) * 257  # the same intensities in 16 bits
    np.testing.assert_allclose(photograph_to_float(grey8, "x"), grey8 / 255, atol=1e-15)
    np.testing.assert_allclose(
        photograph_to_float(grey16, "x"), grey8 / 255, atol=1e-15
    )
    assert photograph_to_float(np.full((2, 2), 65535, np.uint16), "x").max() == 1.0


def test_photograph_in_floats_is_kept_as_it_is():
    grey = RNG.uniform(size=(5, 4)).astype(np.float32)
    out = photograph_to_float(grey, "x")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, grey.astype(np.float64))


def test_photograph_alpha_channel_is_dropped():
    from skimage.color import rgb2gray

    rgb = RNG.integers(0, 256, (6, 7, 3)).astype(np.uint8)
    alpha = RNG.integers(0, 256, (6, 7, 1)).astype(np.uint8)
    rgba = np.concatenate([rgb, alpha], axis=2)
    np.testing.assert_allclose(
        photograph_to_float(rgba, "x"), rgb2gray(rgb / 255), rtol=0, atol=1e-15
    )
    np.testing.assert_array_equal(
        photograph_to_float(rgba, "x", rgb=True), photograph_to_float(rgb, "x", True)
    )
    grey_alpha = np.concatenate([rgb[..., :1], alpha], axis=2)
    np.testing.assert_array_equal(
        photograph_to_float(grey_alpha, "x"), photograph_to_float(rgb[..., 0], "x")
    )


@pytest.mark.parametrize(
    "image",
    [
        np.full((4, 4), 255.0),  # floats 0..255: a blind /255 would hide nothing
        np.full((4, 4), -0.5),
        np.array([[-128, 127]], dtype=np.int8),  # img_as_float maps int8 to [-1, 1]
        np.array([[0.5, np.nan]]),
    ],
    ids=["float-0-255", "negative", "int8", "nan"],
)
def test_photograph_outside_the_unit_interval_is_refused(image):
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        photograph_to_float(image, "x")


@pytest.mark.parametrize(
    "image",
    [
        np.ones((4, 4), dtype=complex),
        np.array([["a", "b"]]),
        np.ones((4, 4), dtype=object),
    ],
    ids=["complex", "str", "object"],
)
def test_photograph_that_is_not_numbers_is_refused(image):
    with pytest.raises(TypeError, match="integer or float pixels"):
        photograph_to_float(image, "x")


@pytest.mark.parametrize(
    "shape", [(8,), (4, 4, 5), (4, 4, 3, 1), (0, 4), (0, 4, 3)], ids=str
)
def test_photograph_of_a_wrong_shape_is_refused(shape):
    with pytest.raises(ValueError, match="got shape"):
        photograph_to_float(np.zeros(shape, np.uint8), "x")


def test_colour_photograph_that_is_grey_is_refused():
    with pytest.raises(ValueError, match="RGB"):
        photograph_to_float(np.zeros((4, 4), np.uint8), "x", rgb=True)


def test_load_photographs_scales_a_16_bit_photograph_by_its_dtype(monkeypatch):
    from skimage import data

    camera8 = data.camera()
    monkeypatch.setattr(data, "camera", lambda: camera8.astype(np.uint16) * 257)
    (camera,) = load_photographs("camera", downsample_factor=1)
    np.testing.assert_allclose(camera, camera8 / 255, rtol=0, atol=1e-15)


def test_load_photographs_drops_an_alpha_channel(monkeypatch):
    from skimage import data

    rgb = data.astronaut()
    rgba = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 7, np.uint8)], axis=2)
    expected = load_photographs("astronaut", downsample_factor=1)[0]
    monkeypatch.setattr(data, "astronaut", lambda: rgba)
    np.testing.assert_array_equal(
        load_photographs("astronaut", downsample_factor=1)[0], expected
    )


def test_load_photographs_refuses_a_corrupt_array(monkeypatch):
    from skimage import data

    monkeypatch.setattr(data, "camera", lambda: np.full((8, 8), 300.0))
    with pytest.raises(ValueError, match="'camera'"):
        load_photographs("camera")


@pytest.mark.parametrize("error", [FileNotFoundError, ModuleNotFoundError, OSError])
def test_load_photographs_missing_file_names_scikit_image(monkeypatch, error):
    """skimage raises ModuleNotFoundError (pooch) when a shipped file is gone."""
    from skimage import data

    def missing():
        raise error("camera.png")

    monkeypatch.setattr(data, "camera", missing)
    with pytest.raises(FileNotFoundError, match="ships with scikit-image"):
        load_photographs("camera")


def test_load_photographs_missing_file_names_scikit_learn(monkeypatch):
    import sklearn.datasets

    def missing():
        raise FileNotFoundError("china.jpg")

    monkeypatch.setattr(sklearn.datasets, "load_sample_images", missing)
    with pytest.raises(FileNotFoundError, match="ships with scikit-learn"):
        load_photographs("china")


def test_load_photographs_one_sample_image_missing_names_scikit_learn(monkeypatch):
    import sklearn.datasets
    from sklearn.utils import Bunch

    only_flower = Bunch(
        images=[np.zeros((4, 4, 3), np.uint8)], filenames=["flower.jpg"]
    )
    monkeypatch.setattr(sklearn.datasets, "load_sample_images", lambda: only_flower)
    with pytest.raises(FileNotFoundError, match="'china' ships with scikit-learn"):
        load_photographs("china")


def test_load_photographs_without_scikit_learn_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        load_photographs("flower")
