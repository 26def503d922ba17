"""Chapter 14's colour loader and patch sampler refuse bad input (issue 12).

The loader reads the photographs through chapter 6's ``shipped_photographs`` and
``photograph_to_float``, so it scales by dtype, drops alpha and names the package
of a missing file like ``load_photographs``; corrupt arrays are injected by
replacing the shipping function of scikit-image.
"""

import numpy as np
import pytest

from saelib.linear_decoder import load_color_photographs, sample_color_patches

IMAGE = np.random.default_rng(0).uniform(size=(12, 14, 3))


def test_sample_color_patches_refuses_complex_images():
    with pytest.raises(TypeError, match="each image must hold real numbers.*complex"):
        sample_color_patches([IMAGE + 1j], 4, 3, rng=0)


def test_sample_color_patches_refuses_a_negative_seed():
    with pytest.raises(ValueError, match="rng must be an int seed >= 0"):
        sample_color_patches([IMAGE], 4, 3, rng=-1)


@pytest.mark.parametrize("rng", ["0", True, 0.5])
def test_sample_color_patches_refuses_a_seed_that_is_not_an_int(rng):
    with pytest.raises(TypeError, match="rng must be an int seed"):
        sample_color_patches([IMAGE], 4, 3, rng=rng)


@pytest.mark.parametrize(
    "patch_size, num_patches, name",
    [(True, 3, "patch_size"), ("4", 3, "patch_size"), (4, 3.0, "num_patches")],
)
def test_sample_color_patches_refuses_sizes_that_are_not_ints(
    patch_size, num_patches, name
):
    with pytest.raises(TypeError, match=f"{name} must be an int"):
        sample_color_patches([IMAGE], patch_size, num_patches, rng=0)


def test_sample_color_patches_refuses_nan():
    with pytest.raises(ValueError, match="NaN"):
        sample_color_patches([np.full((5, 5, 3), np.nan)], 2, 3, rng=0)


@pytest.mark.parametrize("factor", ["2", True, 1.5])
def test_load_color_photographs_refuses_a_factor_that_is_not_an_int(factor):
    with pytest.raises(TypeError, match="downsample_factor must be an int"):
        load_color_photographs("coffee", downsample_factor=factor)


@pytest.mark.parametrize("names", [[], ["coffee", 3]])
def test_load_color_photographs_refuses_no_names_or_non_string_names(names):
    with pytest.raises(ValueError, match="names is empty|unknown photographs"):
        load_color_photographs(names)


def test_load_color_photographs_scales_a_16_bit_photograph_by_its_dtype(monkeypatch):
    from skimage import data

    coffee8 = data.coffee()
    expected = load_color_photographs("coffee", downsample_factor=1)[0]
    monkeypatch.setattr(data, "coffee", lambda: coffee8.astype(np.uint16) * 257)
    (coffee,) = load_color_photographs("coffee", downsample_factor=1)
    np.testing.assert_allclose(coffee, expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(coffee, coffee8 / 255, rtol=0, atol=1e-15)


def test_load_color_photographs_drops_an_alpha_channel(monkeypatch):
    from skimage import data

    rgb = data.coffee()
    rgba = np.concatenate([rgb, np.zeros(rgb.shape[:2] + (1,), np.uint8)], axis=2)
    expected = load_color_photographs("coffee", downsample_factor=2)[0]
    monkeypatch.setattr(data, "coffee", lambda: rgba)
    got = load_color_photographs("coffee", downsample_factor=2)[0]
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    "image, error",
    [
        (np.full((8, 8, 3), 255.0), ValueError),  # floats 0..255, not 0..1
        (np.zeros((8, 8), np.uint8), ValueError),  # grey, not colour
        (np.zeros((8, 8, 3), complex), TypeError),
    ],
    ids=["float-0-255", "grey", "complex"],
)
def test_load_color_photographs_refuses_a_corrupt_array(monkeypatch, image, error):
    from skimage import data

    monkeypatch.setattr(data, "coffee", lambda: image)
    with pytest.raises(error, match="'coffee'"):
        load_color_photographs("coffee")


def test_load_color_photographs_missing_file_names_scikit_image(monkeypatch):
    from skimage import data

    def missing():
        raise ModuleNotFoundError("pooch is needed to download coffee.png")

    monkeypatch.setattr(data, "coffee", missing)
    with pytest.raises(FileNotFoundError, match="ships with scikit-image"):
        load_color_photographs("coffee")
